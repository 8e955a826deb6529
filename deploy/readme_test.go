package deploy

import (
	"os"
	"strings"
	"testing"
)

// The README's "Running continuously" shows the shipped files verbatim,
// each as a whole fenced block, so that what a reader copies is what CI
// tested.
func TestReadmeEmbedsShippedFiles(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "\n## Running continuously\n")
	if start < 0 {
		t.Fatal(`README has no "## Running continuously"`)
	}
	section := readme[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	for path, lang := range map[string]string{
		"systemd/callctl-watch.service":     "ini",
		"systemd/callctl-watch.env.example": "sh",
		"prometheus/callctl-alerts.yml":     "yaml",
	} {
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(section, "```"+lang+"\n"+string(content)+"```\n") {
			t.Errorf(`README's "Running continuously" does not show deploy/%s verbatim in a fenced %s block`, path, lang)
		}
	}
}
