package config

import _ "embed"

// ExampleUnits is units.example.yaml, the example routing tree (Dukcapil of Kabupaten
// Kubu Raya), as built into the program: the practice desk's units. Parse it with
// ParseUnitsFile.
//
//go:embed units.example.yaml
var ExampleUnits []byte
