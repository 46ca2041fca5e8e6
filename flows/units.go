package flows

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
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

// Unit is one node of the deployment's routing tree: a team of people who work in
// group chats. Codes are stable identifiers; names are what people read.
type Unit struct {
	Code   string
	Name   string
	Kind   UnitKind
	Parent string // code of the parent unit; empty for the national unit and the Ombudsman liaison
	// Chats are the unit's group chats, any number on any channel; a unit without one
	// is told nothing.
	Chats []ChatRef
}

// ChatRef is the address of one group chat: the channel ("telegram", "whatsapp") and
// the chat's ID as that channel writes it (Telegram: the group's chat ID in decimal;
// WhatsApp: the group JID).
type ChatRef struct {
	Channel string
	Chat    string
}

// ChatsOn returns the IDs of the unit's chats on channel, in the order given; none when
// it has no chat there.
func (u Unit) ChatsOn(channel string) []string {
	var out []string
	for _, c := range u.Chats {
		if c.Channel == channel {
			out = append(out, c.Chat)
		}
	}
	return out
}

// Equal reports whether u and v are the same unit: the same code, name, kind and
// parent, and the same chats in any order.
func (u Unit) Equal(v Unit) bool {
	if u.Code != v.Code || u.Name != v.Name || u.Kind != v.Kind || u.Parent != v.Parent || len(u.Chats) != len(v.Chats) {
		return false
	}
	order := func(a, b ChatRef) int { return cmp.Or(cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Chat, b.Chat)) }
	a, b := slices.Clone(u.Chats), slices.Clone(v.Chats)
	slices.SortFunc(a, order)
	slices.SortFunc(b, order)
	return slices.Equal(a, b)
}

// ChatChecks holds, per channel, the check of a chat address's format: nil when chat
// is a valid group chat ID on that channel, otherwise an error saying what is wrong
// with it. Each channel's adapter provides its own.
type ChatChecks map[string]func(chat string) error

// UnitProblem is one reason a list of units is not a valid routing tree. Index is the
// position of the offending unit in the list (-1 when the problem concerns the whole
// list) and Field the name of the field at fault, so that a configuration loader can
// point at the line; a problem of a chat has the chat's channel as Field ("chats" when
// it has none) and its position in the unit's Chats as Chat, which is -1 for every
// other problem. Other is the position of another unit the problem refers to (the
// first holder of a repeated code or chat), or -1.
type UnitProblem struct {
	Index int
	Field string
	Msg   string
	Other int
	Chat  int
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
	byChat map[ChatRef]string // the code of the unit whose chat it is
	codes  []string           // in the order given
}

// NewDirectory validates units as a routing tree: unique lower-case codes, exactly one
// national unit, exactly one Ombudsman liaison, every regency under the national unit,
// every agency under a regency and every team under an agency; every chat with a
// channel and an ID, and no chat given twice, in one unit or across units. It does not
// check the chat IDs' format (NewDirectoryWith does). It returns a *UnitsError listing
// every problem, or the directory.
func NewDirectory(units []Unit) (*Directory, error) {
	return NewDirectoryWith(units, nil)
}

// NewDirectoryWith is NewDirectory that also checks every chat's ID with the check of
// its channel in checks. With checks nil no format is checked; otherwise a chat on a
// channel that has no check is a problem too.
func NewDirectoryWith(units []Unit, checks ChatChecks) (*Directory, error) {
	var probs []UnitProblem
	add := func(i int, field, format string, args ...any) {
		probs = append(probs, UnitProblem{Index: i, Field: field, Msg: fmt.Sprintf(format, args...), Other: -1, Chat: -1})
	}
	d := &Directory{byCode: make(map[string]Unit, len(units)), byChat: map[ChatRef]string{}}
	seen := map[string]int{}
	chatAt := map[ChatRef]int{} // unit index + 1 of the first holder
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
		for j, c := range u.Chats {
			chat := func(format string, args ...any) {
				add(i, cmp.Or(c.Channel, "chats"), format, args...)
				probs[len(probs)-1].Chat = j
			}
			check, known := checks[c.Channel]
			switch {
			case c.Channel == "":
				chat("chat %q has no channel", c.Chat)
			case c.Chat == "":
				chat("the chat ID is empty")
			case checks != nil && !known:
				chat("%q is not a channel this desk knows", c.Channel)
			case chatAt[c] == i+1:
				chat("%q is given twice", c.Chat)
			case chatAt[c] > 0:
				chat("%q is already the chat of unit %d: each group chat serves one unit", c.Chat, chatAt[c])
				probs[len(probs)-1].Other = chatAt[c] - 1
			default:
				chatAt[c] = i + 1
				if check != nil {
					if err := check(c.Chat); err != nil {
						chat("%v", err)
					}
				}
			}
		}
		u.Chats = slices.Clone(u.Chats)
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
	for ref, at := range chatAt {
		d.byChat[ref] = units[at-1].Code
	}
	return d, nil
}

// UnitsOfChat returns the codes of the units whose group chat on channel is chat: at
// most one, as NewDirectory accepts no chat given twice; none when the chat is no
// unit's.
func (d *Directory) UnitsOfChat(channel, chat string) []string {
	code, ok := d.byChat[ChatRef{channel, chat}]
	if !ok {
		return nil
	}
	return []string{code}
}

// Unit returns the unit with the given code and whether it exists.
func (d *Directory) Unit(code string) (Unit, bool) {
	u, ok := d.byCode[code]
	u.Chats = slices.Clone(u.Chats)
	return u, ok
}

// Units returns every unit in the order they were given.
func (d *Directory) Units() []Unit {
	out := make([]Unit, 0, len(d.codes))
	for _, c := range d.codes {
		u := d.byCode[c]
		u.Chats = slices.Clone(u.Chats)
		out = append(out, u)
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
