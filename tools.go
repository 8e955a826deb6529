//go:build tools

// Package callctl pins, until the packages that use them land, the modules
// the project builds on, so that go.mod and go.sum stay complete.
package callctl

import (
	_ "github.com/Azure/go-ntlmssp"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hashicorp/hcl/v2/hclsyntax"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/zclconf/go-cty/cty/function/stdlib"
	_ "golang.org/x/crypto/md4"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
)
