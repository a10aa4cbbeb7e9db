// Package match is an exact Hamming radius index over 64-bit and 256-bit
// content codes (ISCC units, ISO 24138; PDQ hashes), implementing the
// candidate retrieval of DESIGN §4 by multi-index hashing (Norouzi, Punjani
// and Fleet, CVPR 2012).
//
// A search returns every stored code within distance r of the query, exactly
// the set an exhaustive scan returns.
package match
