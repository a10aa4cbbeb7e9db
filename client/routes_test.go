package client_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/wire"
)

// TestRoutes calls every method against a real registry.
func TestRoutes(t *testing.T) {
	url, stop := exampleRegistry()
	defer stop()
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	anyone, _ := client.New(url, "", nil)
	acct, err := anyone.CreateAccount(ctx, "Jane", "")
	must("CreateAccount", err)
	jane, _ := client.New(url, acct.Token, nil)
	me, err := jane.Me(ctx)
	must("Me", err)
	if me.Account != acct.Account || me.Token.Scope != wire.ScopeWrite {
		t.Errorf("Me: %+v, want %+v with a write token", me, acct.Account)
	}
	tok, err := jane.CreateToken(ctx, wire.ScopeRead, "reader")
	must("CreateToken", err)
	reader, _ := client.New(url, tok.Secret, nil)
	if _, err := reader.Declare(ctx, wire.DeclareRequest{Subject: wire.Subject{Kind: wire.SubjectAccount}, Terms: []wire.Term{{Use: wire.UseSearch, Decision: wire.DecisionDeny}}}); kind(err) != wire.ProblemForbidden {
		t.Errorf("Declare with a read token: %v, want %s", err, wire.ProblemForbidden)
	}
	must("RevokeToken", jane.RevokeToken(ctx, tok.ID))
	if _, err := reader.Me(ctx); kind(err) != wire.ProblemUnauthenticated {
		t.Errorf("Me with a revoked token: %v, want %s", err, wire.ProblemUnauthenticated)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	_, err = jane.AddKey(ctx, pub)
	must("AddKey", err)
	orgAcct, err := anyone.CreateAccount(ctx, "Guild", wire.KindOrganisation)
	must("CreateAccount organisation", err)
	org, _ := client.New(url, orgAcct.Token, nil)
	_, err = jane.Delegate(ctx, orgAcct.Account.ID)
	must("Delegate", err)

	deny := []wire.Term{{Use: wire.UseTrainGenAI, Decision: wire.DecisionDeny}}
	reg, err := org.RegisterWorks(ctx, wire.RegisterRequest{Works: []wire.WorkInput{{Datahash: "1e20" + strings.Repeat("01", 32)}}, Terms: deny, OnBehalfOf: acct.Account.ID})
	must("RegisterWorks", err)
	up, err := jane.UploadWork(ctx, strings.NewReader(strings.Repeat("Words for a Text-Code. ", 30)), client.Upload{Filename: "words.txt", Title: "Words", Terms: deny})
	must("UploadWork", err)
	if up.Work.Units.Content == "" || up.Declaration == nil || up.Work.Title != "Words" {
		t.Errorf("UploadWork: %+v, want the codes, the title and a declaration", up)
	}
	w, err := anyone.Work(ctx, reg[0].Work.ID)
	must("Work", err)
	if w.Account != acct.Account.ID || w.RegisteredBy != orgAcct.Account.ID {
		t.Errorf("Work: %+v, want Jane's, registered by the guild", w)
	}
	d, err := jane.Declare(ctx, wire.DeclareRequest{Subject: wire.Subject{Kind: wire.SubjectWork, Value: w.ID}, Terms: []wire.Term{{Use: wire.UseSearch, Decision: wire.DecisionAllow}},
		Supersedes: reg[0].Declaration.ID})
	must("Declare", err)
	im, err := jane.ImportDeclaration(ctx, wire.ImportRequest{ISCC: up.Work.ISCC, Name: "Words again", TDM: wire.TDM{TrainAI: wire.DecisionDeny}}, "")
	must("ImportDeclaration", err)
	if im.Declaration == nil || im.Declaration.Terms[0].Use != wire.UseTrainAI {
		t.Errorf("ImportDeclaration: %+v", im)
	}
	if _, err := jane.ClaimDomain(ctx, "jane.example"); err != nil {
		t.Errorf("ClaimDomain: %v", err)
	}
	c, err := org.CreateCampaign(ctx, "Ask first", "Not without a licence.")
	must("CreateCampaign", err)
	_, err = jane.SignCampaign(ctx, c.Campaign.ID, wire.SignRequest{Listed: true})
	must("SignCampaign", err)
	v, err := anyone.Campaign(ctx, c.Campaign.ID, "", 0)
	must("Campaign", err)
	cl, err := anyone.Campaigns(ctx, "", 0)
	must("Campaigns", err)
	if v.Signatures != 1 || len(v.Listed) != 1 || len(cl.Campaigns) != 1 || cl.Campaigns[0].Signatures != 1 {
		t.Errorf("Campaign %+v, Campaigns %+v: want one signature", v, cl)
	}
	ws, err := jane.OwnWorks(ctx, "", 1)
	must("OwnWorks", err)
	ds, err := jane.OwnDeclarations(ctx, "", 0)
	must("OwnDeclarations", err)
	if len(ws.Works) != 1 || ws.Next == "" || len(ds.Declarations) != 3 {
		t.Errorf("OwnWorks %+v (want one and a next page), OwnDeclarations %d (want 3: the upload's, the import's and the one declared)", ws, len(ds.Declarations))
	}
	rs, err := anyone.Match(ctx, []wire.MatchItem{{Datahash: w.Datahash}})
	must("Match", err)
	lk, err := anyone.Lookup(ctx, "datahash", w.Datahash)
	must("Lookup", err)
	if len(rs[0].Declarations) != 1 || rs[0].Declarations[0].ID != d.Declaration.ID || len(lk.Declarations) != 1 {
		t.Errorf("Match %+v, Lookup %+v: want the declaration that superseded", rs[0], lk)
	}
	rc, err := anyone.Receipt(ctx, d.Receipt.Index)
	must("Receipt", err)
	info, err := anyone.Log(ctx)
	must("Log", err)
	if rc.Index != d.Receipt.Index || info.Size <= rc.Index {
		t.Errorf("Receipt %d, Log %+v", rc.Index, info)
	}
	if _, err := jane.VerifyDomain(ctx, "jane.example"); kind(err) != wire.ProblemDomainNotVerified {
		t.Errorf("VerifyDomain of a domain that serves no token: %v, want %s", err, wire.ProblemDomainNotVerified)
	}
}

func kind(err error) string {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Kind()
	}
	return ""
}
