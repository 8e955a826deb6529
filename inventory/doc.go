// Package inventory reads call inventories, the records a standing policy
// filters: JSON lines, a JSON array of objects, or CSV with a header row,
// from a file's bytes or from a command's standard output.
//
// Records come back as cty values ready for HCL expressions. Inventories
// from real logs differ record to record, so every record gets the union
// of all records' keys, a missing key reading as null; see Decode.
//
// Everything is bounded (Limits) because an inventory is produced by some
// other system and a policy run must fail clearly, not exhaust memory,
// when that system misbehaves.
package inventory
