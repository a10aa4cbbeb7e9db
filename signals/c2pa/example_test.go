package c2pa_test

import (
	"fmt"
	"os"

	"github.com/askfirst/askfirst/signals/c2pa"
)

func ExampleRead() {
	img, err := os.ReadFile("testdata/signed.jpg")
	if err != nil {
		panic(err)
	}
	r, err := c2pa.Read(img)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Location.Container, r.Status, r.Binding, "grants usable:", r.GrantsUsable())
	for _, a := range r.TrainingMining {
		for _, e := range a.Entries {
			fmt.Println(a.Label, e.Kind, e.Use, "covered:", a.Covered)
		}
	}
	// Output:
	// jpeg signature_valid verified grants usable: true
	// cawg.training-mining ai_generative_training notAllowed covered: true
	// cawg.training-mining ai_inference constrained covered: true
	// cawg.training-mining ai_training allowed covered: true
	// cawg.training-mining data_mining allowed covered: true
}

func ExampleDecodeTrainingMining() {
	// The example of the CAWG training-and-data-mining assertion, in its
	// JSON form.
	content := []byte(`{"entries": {
		"cawg.ai_generative_training": {"use": "notAllowed"},
		"cawg.ai_inference": {"use": "constrained", "constraint_info": "https://pub.example/licence.xml"}}}`)
	entries, _, err := c2pa.DecodeTrainingMining(content, true)
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		fmt.Printf("%s=%s %q\n", e.Kind, e.Use, e.ConstraintInfo)
	}
	// Output:
	// ai_generative_training=notAllowed ""
	// ai_inference=constrained "https://pub.example/licence.xml"
}
