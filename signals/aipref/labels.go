package aipref

// Category is what a label speaks to, in the terms of the draft that
// defined it. Package signals maps these to askfirst's uses.
type Category string

// Categories covered by current and legacy labels (digest §6.2, §14.3).
const (
	// CatTrainGenAI: training models that generate content (vocab-07
	// train-ai; legacy train-genai, genai).
	CatTrainGenAI Category = "train-genai"
	// CatTrainAI: training any AI model (train-ai in vocab-02 and -03).
	CatTrainAI Category = "train-ai"
	// CatSearch: search applications that link back.
	CatSearch Category = "search"
	// CatAIUse: use as input at inference time (legacy ai-use, inference).
	CatAIUse Category = "ai-use"
	// CatAIOutput: AI output, vocab-04's ai-output (covers AI answers and
	// AI-generated search summaries).
	CatAIOutput Category = "ai-output"
	// CatAll: every automated processing (legacy all, bots, tdm).
	CatAll Category = "all"
)

// Label describes a vocabulary label.
type Label struct {
	// Name is the label as serialised.
	Name string
	// Current is true for labels of draft-ietf-aipref-vocab-07.
	Current bool
	// Draft names the draft whose meaning is used ("vocab-07", "vocab-02").
	Draft string
	// Covers lists what the label speaks to in that draft. A
	// reservation (n) applies to all of it, narrower categories included
	// (deny broadly, digest §14.1); callers should treat a grant (y) as
	// covering only the label's own narrowest reading.
	Covers []Category
	// Parent is the broader label of the draft's hierarchy, "" when none
	// (vocab-07 removed the hierarchy).
	Parent string
}

var labels = map[string]Label{
	"train-ai": {Name: "train-ai", Current: true, Draft: "vocab-07",
		// vocab-07: generative models only; vocab-02/-03: all training. A
		// reservation is read with the broader, older meaning.
		Covers: []Category{CatTrainGenAI, CatTrainAI}},
	"search":      {Name: "search", Current: true, Draft: "vocab-07", Covers: []Category{CatSearch}},
	"train-genai": {Name: "train-genai", Draft: "vocab-03", Covers: []Category{CatTrainGenAI}, Parent: "train-ai"},
	"genai":       {Name: "genai", Draft: "vocab-01", Covers: []Category{CatTrainGenAI}, Parent: "ai"},
	"ai":          {Name: "ai", Draft: "vocab-01", Covers: []Category{CatTrainGenAI, CatTrainAI}, Parent: "tdm"},
	// ai-use ("AI Use": input to a generative model, not provided by the
	// user) is in vocab-02 and again in some later working-group text
	// (main-branch commit 008bd890), though not in the vocab-07 tag the
	// digest follows; its meaning is the same in both.
	"ai-use":    {Name: "ai-use", Draft: "vocab-02", Covers: []Category{CatAIUse}, Parent: "all"},
	"inference": {Name: "inference", Draft: "vocab-01", Covers: []Category{CatAIUse}},
	"ai-output": {Name: "ai-output", Draft: "vocab-04", Covers: []Category{CatAIOutput}, Parent: "bots"},
	"bots":      {Name: "bots", Draft: "vocab-03", Covers: []Category{CatAll}},
	"all":       {Name: "all", Draft: "vocab-02", Covers: []Category{CatAll}},
	"tdm":       {Name: "tdm", Draft: "vocab-01", Covers: []Category{CatAll}},
}

// LookupLabel describes a label of vocab-07 or of an earlier draft.
func LookupLabel(name string) (Label, bool) {
	l, ok := labels[name]
	return l, ok
}
