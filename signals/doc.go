// Package signals combines every machine-readable statement about the AI
// use of a work (robots.txt, TDMRep, noai, ai.txt, IETF AIPREF
// Content-Usage, Cloudflare Content-Signal, RSL, IPTC Data Mining in XMP,
// C2PA/CAWG training-mining) into one verdict per use, with the evidence.
//
// It implements the combination rules of askfirst DESIGN §3 and of the
// signals digest (specs/signals.md) §14: robots.txt as a fetch gate;
// across mechanisms a held licence wins, otherwise deny beats licence
// beats allow; deny broadly, grant narrowly; reservations count without
// authentication while grants are graded; a check that cannot complete is
// never "allow".
//
// Each mechanism has its own parser package under signals/ (robotstxt,
// tdmrep, noai, aitxt, aipref, contentsignal, rsl, xmp, epub, c2pa); the
// TDMRep properties embedded in a PDF's XMP or an EPUB's package document
// come last in TDMRep's processing order. This package
// maps their results into Statements (one from_*.go file per mechanism),
// and its Inspector gathers them for a URL, through a Fetcher the caller
// provides, or for a local file. Evaluate is pure; Inspector does network
// I/O only through its Fetcher.
//
// It does not query remote registries (the Spawning API, the askfirst
// registry) unless a RegistrySource is supplied, does not execute scripts
// in HTML, and does not obtain licences.
package signals
