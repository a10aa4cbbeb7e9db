package registry_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/wire"
)

// TestOwnWorksApplying checks which of its owner's declarations applies to
// each work (DESIGN §3.3): the work, then the longest URL prefix of its
// locators, then their domain, then all the owner's works; the newest
// among equals; an organisation's declaration for the member counts as
// the member's.
func TestOwnWorksApplying(t *testing.T) {
	r := newRegistry(t, "alice.example")
	ctx := t.Context()
	alice := account(t, r, "Alice", "creator")
	guild := account(t, r, "Guild", "organisation")
	if _, err := r.Delegate(ctx, alice, guild.Account.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ClaimDomain(ctx, alice, "alice.example"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.VerifyDomain(ctx, alice, "alice.example"); err != nil {
		t.Fatal(err)
	}
	in := func(i int, locator string) wire.WorkInput {
		w := wire.WorkInput{Datahash: fmt.Sprintf("1e20%064x", i), Title: fmt.Sprint("w", i)}
		if locator != "" {
			w.Locators = []string{locator}
		}
		return w
	}
	rs, err := r.RegisterWorks(ctx, alice, "", []wire.WorkInput{
		in(1, "https://alice.example/photos/1.jpg"),
		in(2, "https://alice.example/photos/special/2.jpg"),
		in(3, "https://www.alice.example/blog/3.jpg"),
		in(4, ""),
		in(5, ""),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, x := range rs {
		ids[x.Work.Title] = x.Work.ID
	}
	declare := func(p registry.Principal, member string, s wire.Subject) string {
		t.Helper()
		d, _, err := r.Declare(ctx, p, registry.DeclareInput{Subject: s, OnBehalfOf: member, Terms: deny("train-ai")})
		if err != nil {
			t.Fatalf("declare on %s: %v", s, err)
		}
		return d.ID
	}
	declare(alice, "", wire.Subject{Kind: wire.SubjectAccount}) // loses to the newer one
	newAll := declare(alice, "", wire.Subject{Kind: wire.SubjectAccount})
	domain := declare(alice, "", wire.Subject{Kind: wire.SubjectDomain, Value: "alice.example"})
	declare(alice, "", wire.Subject{Kind: wire.SubjectURLPrefix, Value: "https://alice.example/photos/"}) // loses to the work and the longer prefix
	special := declare(alice, "", wire.Subject{Kind: wire.SubjectURLPrefix, Value: "https://alice.example/photos/special/"})
	work1 := declare(alice, "", wire.Subject{Kind: wire.SubjectWork, Value: ids["w1"]})
	work5 := declare(guild, alice.Account.ID, wire.Subject{Kind: wire.SubjectWork, Value: ids["w5"]})

	l, err := r.OwnWorks(ctx, alice, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, w := range l.Works {
		if w.Declaration == nil {
			got[w.Work.Title] = "none"
			continue
		}
		got[w.Work.Title] = w.Declaration.ID + " via " + w.Declaration.AppliesVia
	}
	want := map[string]string{
		"w1": work1 + " via work:" + ids["w1"],
		"w2": special + " via url-prefix",
		"w3": domain + " via domain",
		"w4": newAll + " via account:" + alice.Account.ID,
		"w5": work5 + " via work:" + ids["w5"],
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("declarations that apply (-want +got):\n%s", d)
	}
	// A lookup by domain names the declaring account as a match does.
	lk, err := r.Lookup(ctx, "domain", "alice.example")
	if err != nil || len(lk.Declarations) != 1 || lk.Declarations[0].ID != domain || lk.Declarations[0].AccountName != "Alice" {
		t.Errorf("lookup of alice.example: %+v, %v; want declaration %s by Alice", lk.Declarations, err, domain)
	}
	// Another account's list holds none of Alice's works.
	if l, err := r.OwnWorks(ctx, guild, "", 0); err != nil || len(l.Works) != 0 {
		t.Errorf("the guild's works: %+v, %v; want none", l, err)
	}
	for _, limit := range []int{-1, wire.MaxPageSize + 1} {
		if _, err := r.OwnWorks(ctx, alice, "", limit); err == nil {
			t.Errorf("OwnWorks with limit %d: no error", limit)
		}
	}
}
