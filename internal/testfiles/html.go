package testfiles

import "strings"

// Page returns an HTML page as a news site serves one: a head of about
// 20 KiB with n meta elements (robots, noai, tdm-reservation, Open Graph,
// Twitter cards), scripts and styles, then a long body.
func Page(n int) []byte {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n<title>A page</title>\n")
	b.WriteString(`<meta name="robots" content="index, follow, noai, noimageai">` + "\n")
	b.WriteString(`<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="https://pub.example/tdm.json">` + "\n")
	b.WriteString(`<meta name="GPTBot" content="noai">` + "\n")
	for i := 0; i < n; i++ {
		b.WriteString(`<meta property="og:image:alt" name="twitter:card` + strings.Repeat("x", i%7) + `" content="A lighthouse at dawn over a quiet harbour">` + "\n")
	}
	b.WriteString("<script>window.dataLayer=[];" + strings.Repeat("function f(){return 1};", 400) + "</script>\n")
	b.WriteString("<style>" + strings.Repeat("body{margin:0}", 400) + "</style>\n")
	b.WriteString("<link rel=license type=application/rsl+xml href=/license.xml>\n</head>\n<body>")
	b.WriteString(strings.Repeat("<p>Paragraph text of the article, long enough to matter.</p>\n", 2000))
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}
