package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/store"
)

// filesIn returns the attachment files a directory store holds (its tmp/ left out).
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == "tmp" {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTelegramFilesInDirectory runs the whole desk with --files-dir: a citizen's photos
// and document go to the directory, not the database, and reach the groups from there;
// a cancelled draft's photo leaves the directory; a photo changed on disk is not sent,
// and the log says which attachment and why.
func TestTelegramFilesInDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := newTGDesk(t, "2026-11-30 09:00", func(m *Main) { m.Config.FilesDir = dir })

	// Siti starts a complaint, sends a photo, then cancels: the photo goes.
	d.toAttachments(citizenSiti, flows.Ordinary, "kk", bodyKK)
	mistake := []byte("\xff\xd8\xff\xe0 the wrong photo \xff\xd9")
	d.fake.AddFile("siti-1", "photos/siti_1.jpg", mistake)
	calls := d.do(tgfake.PhotoMessage(citizenSiti, citizenSiti, "siti-1", int64(len(mistake)), ""))
	d.message(calls, citizenSiti, "Lampiran diterima (1 dari 5)")
	if got := filesIn(t, dir); len(got) != 1 || filepath.Base(got[0]) != fmt.Sprintf("%x", sha256.Sum256(mistake)) {
		t.Fatalf("files in the directory: %v", got)
	}
	d.do(tgfake.TextMessage(citizenSiti, citizenSiti, "/batal"))
	// The row went with the message's transaction; the bytes go right after its COMMIT.
	if n := count(t, d.m.DB(), `SELECT count(*) FROM attachment_file`); n != 0 {
		t.Errorf("%d rows of files kept after the draft was cancelled", n)
	}
	for deadline := time.Now().Add(5 * time.Second); len(filesIn(t, dir)) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := filesIn(t, dir); len(got) != 0 {
		t.Errorf("the cancelled draft's photo is still in the directory: %v", got)
	}

	// Budi files with two photos, a document and a location.
	tr, calls := d.fileWithEvidence(citizenBudi, flows.Ordinary)
	c := d.complaint(tr)
	checkEvidence(t, calls, groupNational, tr, 0)
	var inDB, inDir int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE data IS NOT NULL), count(*) FILTER (WHERE stored = 'dir' AND complaint_id = $1)
FROM attachment_file`, c.ID).Scan(&inDB, &inDir); err != nil {
		t.Fatal(err)
	}
	if inDB != 0 || inDir != 3 || len(filesIn(t, dir)) != 3 {
		t.Errorf("%d files' bytes in the database, %d kept in the directory for the complaint, %d files there; want 0, 3, 3", inDB, inDir, len(filesIn(t, dir)))
	}

	// The first photo is changed on disk: asked for again, the files come without it.
	files, ok := d.m.DB().Files().(*store.DirFiles)
	if !ok {
		t.Fatalf("the desk keeps files in %s", d.m.DB().Files().Kind())
	}
	forged := bytes.Replace(evidence.photo1, []byte("queue"), []byte("QUEUE"), 1)
	if err := os.WriteFile(files.Path(sha256.Sum256(evidence.photo1)), forged, 0o600); err != nil {
		t.Fatal(err)
	}
	card := d.message(calls, groupNational, "Aduan baru "+tr)
	calls = d.press(groupNational, adminNational, card, fmt.Sprintf("v:files:%d", c.ID))
	for _, m := range mediaTo(calls, groupNational, "sendMediaGroup", "sendPhoto", "sendDocument") {
		for _, data := range m.Files {
			if bytes.Equal(data, forged) {
				t.Errorf("the forged photo was sent (%s)", m.Method)
			}
		}
	}
	if !slices.ContainsFunc(mediaTo(calls, groupNational, "sendPhoto", "sendMediaGroup"), func(m tgfake.Call) bool {
		return slices.ContainsFunc(slices.Collect(maps.Values(m.Files)), func(b []byte) bool { return bytes.Equal(b, evidence.photo2) })
	}) {
		t.Errorf("the intact photo was not sent again")
	}
	log := d.log.String()
	if !strings.Contains(log, "attachment unreadable, not sent") || !strings.Contains(log, c.Attachment[0].Ref+" (dir store)") ||
		!strings.Contains(log, "does not match its SHA-256") {
		t.Errorf("the log does not say which attachment was refused and why:\n%s", log)
	}
}
