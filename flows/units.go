package flows

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// UnitKind is the role a unit plays in the procedure.
type UnitKind string

// The kinds of unit, one per actor of the SOP except the complainant.
const (
	National  UnitKind = "national"  // Admin Nasional: routes complaints to a regency
	Regency   UnitKind = "regency"   // Admin Kabupaten: distributes to an agency
	Agency    UnitKind = "agency"    // Admin Dinas (liaison officer): answers
	Team      UnitKind = "team"      // Tim Teknis under an agency: investigates
	Ombudsman UnitKind = "ombudsman" // Ombudsman liaison: receives stalled complaints
)

// parentKind is the kind a unit's parent must have; National and Ombudsman have none.
var parentKind = map[UnitKind]UnitKind{Regency: National, Agency: Regency, Team: Agency}

// Unit is one node of the deployment's routing tree: a team of people who work in a
// group chat. Codes are stable identifiers; names are what people read.
type Unit struct {
	Code     string
	Name     string
	Kind     UnitKind
	Parent   string // code of the parent unit; empty for the national unit and the Ombudsman liaison
	Telegram int64  // Telegram group chat ID; 0 when the unit has none
	WhatsApp string // WhatsApp group JID; empty when the unit has none
}

// UnitProblem is one reason a list of units is not a valid routing tree. Index is the
// position of the offending unit in the list (-1 when the problem concerns the whole
// list) and Field the name of the field at fault, so that a configuration loader can
// point at the line. Other is the position of another unit the problem refers to (the
// first holder of a repeated code), or -1.
type UnitProblem struct {
	Index int
	Field string
	Msg   string
	Other int
}

// UnitsError lists every problem found in a list of units.
type UnitsError struct{ Problems []UnitProblem }

func (e *UnitsError) Error() string {
	var b strings.Builder
	b.WriteString("invalid units:")
	for _, p := range e.Problems {
		if p.Index >= 0 {
			fmt.Fprintf(&b, " unit %d %s: %s;", p.Index+1, p.Field, p.Msg)
		} else {
			fmt.Fprintf(&b, " %s;", p.Msg)
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

// unitCode keeps codes short enough for every card button to fit Telegram's 64 bytes.
var unitCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,19}$`)

// Directory is a validated routing tree. It is immutable and safe for concurrent use.
type Directory struct {
	byCode map[string]Unit
	codes  []string // in the order given
}

// NewDirectory validates units as a routing tree: unique lower-case codes, exactly one
// national unit, exactly one Ombudsman liaison, every regency under the national unit,
// every agency under a regency and every team under an agency. It returns a
// *UnitsError listing every problem, or the directory.
func NewDirectory(units []Unit) (*Directory, error) {
	var probs []UnitProblem
	add := func(i int, field, format string, args ...any) {
		probs = append(probs, UnitProblem{Index: i, Field: field, Msg: fmt.Sprintf(format, args...), Other: -1})
	}
	d := &Directory{byCode: make(map[string]Unit, len(units))}
	seen := map[string]int{}
	for i, u := range units {
		switch {
		case !unitCode.MatchString(u.Code):
			add(i, "code", "%q is not a unit code (lower-case letters, digits, '-' or '_', at most 20)", u.Code)
		case seen[u.Code] > 0:
			add(i, "code", "%q is already used by unit %d", u.Code, seen[u.Code])
			probs[len(probs)-1].Other = seen[u.Code] - 1
		default:
			seen[u.Code] = i + 1
		}
		if strings.TrimSpace(u.Name) == "" {
			add(i, "name", "is empty")
		}
		if _, ok := parentKind[u.Kind]; !ok && u.Kind != National && u.Kind != Ombudsman {
			add(i, "kind", "%q is not one of national, regency, agency, team, ombudsman", u.Kind)
		}
		if u.WhatsApp != "" && !strings.HasSuffix(u.WhatsApp, "@g.us") {
			add(i, "whatsapp", "%q is not a WhatsApp group JID (…@g.us)", u.WhatsApp)
		}
		if u.Telegram > 0 {
			add(i, "telegram", "%d is not a group chat ID (group IDs are negative)", u.Telegram)
		}
		d.byCode[u.Code] = u
		d.codes = append(d.codes, u.Code)
	}
	nationals, ombudsmen := 0, 0
	for i, u := range units {
		switch u.Kind {
		case National, Ombudsman:
			if u.Kind == National {
				nationals++
			} else {
				ombudsmen++
			}
			if u.Parent != "" {
				add(i, "parent", "a %s unit has no parent", u.Kind)
			}
		default:
			want, ok := parentKind[u.Kind]
			if !ok {
				continue
			}
			p, found := d.byCode[u.Parent]
			switch {
			case u.Parent == "":
				add(i, "parent", "a %s unit needs a parent %s unit", u.Kind, want)
			case !found:
				add(i, "parent", "no unit has the code %q", u.Parent)
			case p.Kind != want:
				add(i, "parent", "%q is a %s unit; a %s unit's parent must be a %s unit", u.Parent, p.Kind, u.Kind, want)
			}
		}
	}
	if nationals != 1 {
		add(-1, "", "there must be exactly one national unit, found %d", nationals)
	}
	if ombudsmen != 1 {
		add(-1, "", "there must be exactly one ombudsman unit, found %d", ombudsmen)
	}
	if len(probs) > 0 {
		return nil, &UnitsError{Problems: probs}
	}
	return d, nil
}

// Unit returns the unit with the given code and whether it exists.
func (d *Directory) Unit(code string) (Unit, bool) {
	u, ok := d.byCode[code]
	return u, ok
}

// Units returns every unit in the order they were given.
func (d *Directory) Units() []Unit {
	out := make([]Unit, 0, len(d.codes))
	for _, c := range d.codes {
		out = append(out, d.byCode[c])
	}
	return out
}

// Root returns the national unit.
func (d *Directory) Root() Unit {
	for _, c := range d.codes {
		if u := d.byCode[c]; u.Kind == National {
			return u
		}
	}
	panic("flows: directory without a national unit") // NewDirectory guarantees one
}

// OmbudsmanLiaison returns the Ombudsman liaison unit.
func (d *Directory) OmbudsmanLiaison() Unit {
	for _, c := range d.codes {
		if u := d.byCode[c]; u.Kind == Ombudsman {
			return u
		}
	}
	panic("flows: directory without an ombudsman unit") // NewDirectory guarantees one
}

// Children returns the units whose parent is code, sorted by name.
func (d *Directory) Children(code string) []Unit {
	var out []Unit
	for _, c := range d.codes {
		if u := d.byCode[c]; u.Parent == code {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// IsAncestor reports whether the unit anc is a parent, grandparent, … of the unit code.
func (d *Directory) IsAncestor(anc, code string) bool {
	for u, ok := d.byCode[code]; ok && u.Parent != ""; u, ok = d.byCode[u.Parent] {
		if u.Parent == anc {
			return true
		}
	}
	return false
}
