// Package extensiontest proves, in a test binary of its own, that a new
// auth kind registered with authkind.Register (the one file the package
// doc asks for) is accepted, kept secret, fingerprinted and sent by
// config, planfile and soap without changes to them.
package extensiontest
