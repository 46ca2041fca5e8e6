package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"aduan/flows"
)

// appendPayload writes what json.Marshal writes, for notices with every field of
// flows.Notice set, left empty or set to a value that needs json.Marshal's escaping. A
// field added to flows.Notice is set here too (by reflection), so the test fails until
// appendPayload writes it or leaves such notices to json.Marshal.
func TestPayloadIsJSONMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	typ := reflect.TypeFor[flows.Notice]()
	wita := time.FixedZone("WITA", 8*3600)
	strs := []string{"", "", "", "KR-261201-TCUH", "unit.new", "kuburaya", "Petugas nasional",
		"Jalan rusak, sudah 3 bulan", `kutip "ini"`, "a\\b", "<b>", "R&D", "baris\nbaru", "é", "\u2028", "\xff"}
	times := []time.Time{{}, {}, time.Date(2026, 12, 4, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600)),
		time.Date(2026, 12, 2, 10, 30, 15, 123456789, wita), time.Date(2026, 12, 1, 1, 2, 3, 0, time.UTC),
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 7*3600+7*60+20)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 25*3600)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	fast := 0
	for i := range 5000 {
		var n flows.Notice
		v := reflect.ValueOf(&n).Elem()
		for f := range typ.NumField() {
			fv := v.Field(f)
			if rng.IntN(3) == 0 && i > 0 { // most fields empty, as in real notices
				continue
			}
			switch fv.Interface().(type) {
			case string, flows.MsgID, flows.ReportType, flows.State:
				fv.SetString(strs[rng.IntN(len(strs))])
			case int, int64:
				fv.SetInt([]int64{0, 1, 42, -7, 1 << 40}[rng.IntN(5)])
			case bool:
				fv.SetBool(rng.IntN(2) == 0)
			case time.Time:
				fv.Set(reflect.ValueOf(times[rng.IntN(len(times))]))
			case flows.Recipient:
				fv.Set(reflect.ValueOf(flows.ToUnit("kuburaya"))) // not written
			case map[string]string:
				if rng.IntN(4) == 0 {
					fv.Set(reflect.ValueOf(map[string]string{"step": "judul"}))
				}
			case []flows.Notice:
				if rng.IntN(4) == 0 {
					fv.Set(reflect.ValueOf([]flows.Notice{{Msg: flows.MsgCard, Tracking: "KR-261201-TCUH"}}))
				}
			case [][]flows.Choice:
				if rng.IntN(4) == 0 {
					fv.Set(reflect.ValueOf([][]flows.Choice{{{Label: "btn.yes", Data: "y"}}}))
				}
			case []flows.Attachment:
				if rng.IntN(4) == 0 {
					fv.Set(reflect.ValueOf([]flows.Attachment{{}}))
				}
			case *flows.DataCopy:
				if rng.IntN(4) == 0 {
					fv.Set(reflect.ValueOf(&flows.DataCopy{Channel: "telegram"}))
				}
			default:
				t.Fatalf("flows.Notice.%s is a %s: set it in this test", typ.Field(f).Name, fv.Type())
			}
		}
		want, wantErr := json.Marshal(n)
		got, err := appendPayload([]byte("prefix"), n)
		if (err != nil) != (wantErr != nil) || err == nil && string(got) != "prefix"+string(want) {
			t.Fatalf("notice %+v:\nappendPayload %s (%v)\njson.Marshal        %s (%v)", n, got, err, want, wantErr)
		}
		if len(n.Data)+len(n.Items)+len(n.Choices)+len(n.Files) == 0 && n.Copy == nil {
			fast++
		}
	}
	if fast < 500 {
		t.Errorf("only %d of the notices were plain enough for appendPayload's own writing", fast)
	}
}
