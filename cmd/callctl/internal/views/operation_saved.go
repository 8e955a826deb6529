package views

import (
	"fmt"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/planfile"
)

// SavedPlan prints a saved plan's digest, written or loaded, and whether
// it is signed, so that a reviewer can compare what was reviewed with
// what is applied.
func (v *OperationHuman) SavedPlan(sp *operation.SavedPlan) {
	if sp.Loaded {
		v.printf("Applying the saved plan %s\n", sp.Path)
	}
	v.printf("%s\n", savedPlanText(sp))
}

// SavedPlan is a log message: its text carries the digest, and a new
// message type would change the stream's shape.
func (j *OperationJSON) SavedPlan(sp *operation.SavedPlan) {
	j.emit("info", savedPlanText(sp), viewsjson.MessageLog, nil)
}

func savedPlanText(sp *operation.SavedPlan) string {
	switch {
	case sp.KeyID != "" && sp.Loaded:
		return fmt.Sprintf("Plan digest: %s (signed with plan key %s; signature checked)", sp.Digest, sp.KeyID)
	case sp.KeyID != "":
		return fmt.Sprintf("Plan digest: %s (signed with plan key %s)", sp.Digest, sp.KeyID)
	case sp.Loaded:
		return fmt.Sprintf("Plan digest: %s (unsigned: callctl cannot tell whether the file was changed since it was made; compare this digest with the one that was reviewed)", sp.Digest)
	default:
		return fmt.Sprintf("Plan digest: %s (unsigned; set %s or %s to sign saved plans)", sp.Digest, planfile.KeyEnv, planfile.KeyFileEnv)
	}
}

// planFileText is the digest line of show and of the markdown comment.
func planFileText(f *planfile.File) string {
	if f.Signature != nil {
		return fmt.Sprintf("Plan digest: %s (signed with plan key %s; show does not check the signature, apply does)", f.Digest(), f.Signature.KeyID)
	}
	return fmt.Sprintf("Plan digest: %s (unsigned)", f.Digest())
}
