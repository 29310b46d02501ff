package docx

import (
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Automatic numbering, as Word shows it: word/numbering.xml's abstract
// numberings and their instances (w:num), and word/styles.xml's paragraph
// styles that carry a numbering (w:pStyle → w:numPr, through w:basedOn).
//
// Counters belong to an abstract numbering, so every w:num that points to
// it continues the same list; a w:num with a w:lvlOverride counts on its own
// from its w:startOverride (that is how Word and LibreOffice restart a list).
// When a level is used, the deeper levels restart (w:lvlRestart can delay
// that, or with 0 prevent it).

const maxLevels = 9

// level is one w:lvl of an abstract numbering.
type level struct {
	defined bool
	start   int
	format  string // w:numFmt, "decimal" when absent
	text    string // w:lvlText
	restart int    // w:lvlRestart; -1 when absent (restart after the previous level)
	suffix  string // w:suff: "\t" (default), " " or ""
	legal   bool   // w:isLgl: every placeholder in decimal
	style   string // w:pStyle: the paragraph style linked to this level
}

func newLevel() level { return level{defined: true, format: "decimal", restart: -1, suffix: "\t"} }

type abstractNum struct {
	levels    [maxLevels]level
	styleLink string // w:numStyleLink: the definition lives in that numbering style's w:num
}

type lvlOverride struct {
	start    int
	hasStart bool
	level    *level // a whole w:lvl replacing the abstract one
}

type numInstance struct {
	abstract  string
	overrides map[int]lvlOverride
}

type counters struct {
	value   [maxLevels]int
	started [maxLevels]bool
}

// style is the part of a w:style the reader needs.
type style struct {
	basedOn  string
	numID    string
	hasNumID bool
	ilvl     int
	hasIlvl  bool
}

// numbering holds the definitions and the running counters of one Read.
type numbering struct {
	abstracts    map[string]*abstractNum
	nums         map[string]*numInstance
	styles       map[string]*style
	defaultStyle string // the paragraph style of a paragraph without w:pStyle
	count        map[string]*counters
}

func newNumbering() *numbering {
	return &numbering{
		abstracts: map[string]*abstractNum{},
		nums:      map[string]*numInstance{},
		styles:    map[string]*style{},
		count:     map[string]*counters{},
	}
}

// wval is an element's w:val attribute.
func wval(t xml.StartElement) (string, bool) { return wattr(t, "val") }

func wattr(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == local && (a.Name.Space == nsW || a.Name.Space == "") {
			return a.Value, true
		}
	}
	return "", false
}

// onOff reads a w:ST_OnOff element (absent val means on).
func onOff(t xml.StartElement) bool {
	v, ok := wval(t)
	return !ok || v == "1" || v == "true" || v == "on"
}

func atoi(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < -1<<31 || n > 1<<31-1 {
		return def
	}
	return n
}

// readNumbering reads word/numbering.xml.
func (n *numbering) readNumbering(s *xmlStream) error {
	for {
		t, err := s.next()
		if err != nil {
			return eofOK(err)
		}
		st, ok := t.(xml.StartElement)
		if !ok || st.Name.Space != nsW {
			continue
		}
		switch st.Name.Local {
		case "abstractNum":
			id, _ := wattr(st, "abstractNumId")
			a := &abstractNum{}
			if err := n.readAbstract(s, a); err != nil {
				return err
			}
			if _, dup := n.abstracts[id]; !dup {
				n.abstracts[id] = a
			}
		case "num":
			id, _ := wattr(st, "numId")
			ni := &numInstance{overrides: map[int]lvlOverride{}}
			if err := n.readNum(s, ni); err != nil {
				return err
			}
			if _, dup := n.nums[id]; !dup {
				n.nums[id] = ni
			}
		}
	}
}

func (n *numbering) readAbstract(s *xmlStream, a *abstractNum) error {
	return s.children(func(st xml.StartElement) error {
		switch {
		case st.Name.Space == nsW && st.Name.Local == "lvl":
			ilvl := atoi(attrOr(st, "ilvl"), -1)
			lv := newLevel()
			if err := readLevel(s, &lv); err != nil {
				return err
			}
			if ilvl >= 0 && ilvl < maxLevels {
				a.levels[ilvl] = lv
			}
			return nil
		case st.Name.Space == nsW && (st.Name.Local == "numStyleLink"):
			a.styleLink, _ = wval(st)
		}
		return s.skip()
	})
}

func attrOr(st xml.StartElement, local string) string { v, _ := wattr(st, local); return v }

// readLevel reads a w:lvl's children. In an mc:AlternateContent both the
// choice and the fallback are read: a "custom" format (w14) is ignored, so
// the fallback's plain format wins.
func readLevel(s *xmlStream, lv *level) error {
	return s.children(func(st xml.StartElement) error {
		if st.Name.Space == nsMC {
			return readLevel(s, lv) // descend into AlternateContent, Choice, Fallback
		}
		if st.Name.Space != nsW {
			return s.skip()
		}
		v, _ := wval(st)
		switch st.Name.Local {
		case "start":
			lv.start = atoi(v, 0)
		case "numFmt":
			if v != "custom" && v != "" {
				lv.format = v
			}
		case "lvlText":
			lv.text = v
		case "lvlRestart":
			lv.restart = atoi(v, -1)
		case "suff":
			switch v {
			case "space":
				lv.suffix = " "
			case "nothing":
				lv.suffix = ""
			default:
				lv.suffix = "\t"
			}
		case "isLgl":
			lv.legal = onOff(st)
		case "pStyle":
			lv.style = v
		}
		return s.skip()
	})
}

func (n *numbering) readNum(s *xmlStream, ni *numInstance) error {
	return s.children(func(st xml.StartElement) error {
		if st.Name.Space != nsW {
			return s.skip()
		}
		switch st.Name.Local {
		case "abstractNumId":
			ni.abstract, _ = wval(st)
		case "lvlOverride":
			ilvl := atoi(attrOr(st, "ilvl"), -1)
			var o lvlOverride
			err := s.children(func(c xml.StartElement) error {
				if c.Name.Space == nsW && c.Name.Local == "startOverride" {
					v, _ := wval(c)
					o.start, o.hasStart = atoi(v, 0), true
				} else if c.Name.Space == nsW && c.Name.Local == "lvl" {
					lv := newLevel()
					if err := readLevel(s, &lv); err != nil {
						return err
					}
					o.level = &lv
					return nil
				}
				return s.skip()
			})
			if err != nil {
				return err
			}
			if ilvl >= 0 && ilvl < maxLevels {
				ni.overrides[ilvl] = o
			}
			return nil
		}
		return s.skip()
	})
}

// readStyles reads word/styles.xml's styles: basedOn and numPr.
func (n *numbering) readStyles(s *xmlStream) error {
	for {
		t, err := s.next()
		if err != nil {
			return eofOK(err)
		}
		st, ok := t.(xml.StartElement)
		if !ok || st.Name.Space != nsW || st.Name.Local != "style" {
			continue
		}
		id, _ := wattr(st, "styleId")
		typ, _ := wattr(st, "type")
		def, _ := wattr(st, "default")
		sty := &style{}
		err = s.children(func(c xml.StartElement) error {
			if c.Name.Space != nsW {
				return s.skip()
			}
			switch c.Name.Local {
			case "basedOn":
				sty.basedOn, _ = wval(c)
			case "pPr":
				return s.children(func(p xml.StartElement) error {
					if p.Name.Space == nsW && p.Name.Local == "numPr" {
						return readNumPr(s, &sty.numID, &sty.hasNumID, &sty.ilvl, &sty.hasIlvl)
					}
					return s.skip()
				})
			}
			return s.skip()
		})
		if err != nil {
			return err
		}
		if _, dup := n.styles[id]; !dup {
			n.styles[id] = sty
		}
		if (typ == "paragraph" || typ == "") && (def == "1" || def == "true") && n.defaultStyle == "" {
			n.defaultStyle = id
		}
	}
}

// readNumPr reads a w:numPr's w:numId and w:ilvl (a tracked w:ins inside is
// ignored).
func readNumPr(s *xmlStream, numID *string, hasNumID *bool, ilvl *int, hasIlvl *bool) error {
	return s.children(func(c xml.StartElement) error {
		if c.Name.Space == nsW {
			v, _ := wval(c)
			switch c.Name.Local {
			case "numId":
				*numID, *hasNumID = strings.TrimSpace(v), true
			case "ilvl":
				if k := atoi(v, -1); k >= 0 && k < maxLevels {
					*ilvl, *hasIlvl = k, true
				}
			}
		}
		return s.skip()
	})
}

// paraNum is a paragraph's own numbering properties.
type paraNum struct {
	style    string
	numID    string
	hasNumID bool
	ilvl     int
	hasIlvl  bool
}

// resolve gives the numbering instance and level a paragraph shows, from its
// own w:numPr and then its style's chain. ok is false for no numbering
// (numId 0 included).
func (n *numbering) resolve(p paraNum) (numID string, ilvl int, ok bool) {
	numID, hasNum := p.numID, p.hasNumID
	ilvl, hasIlvl := p.ilvl, p.hasIlvl
	styleID := p.style
	if styleID == "" {
		styleID = n.defaultStyle
	}
	for id, steps := styleID, 0; id != "" && steps < 32 && (!hasNum || !hasIlvl); steps++ {
		sty := n.styles[id]
		if sty == nil {
			break
		}
		if !hasNum && sty.hasNumID {
			numID, hasNum = sty.numID, true
		}
		if !hasIlvl && sty.hasIlvl {
			ilvl, hasIlvl = sty.ilvl, true
		}
		id = sty.basedOn
	}
	if !hasNum || numID == "0" || numID == "" || n.nums[numID] == nil {
		return "", 0, false
	}
	if !hasIlvl {
		// A style linked to a level of the list (the level's w:pStyle).
		if a, _ := n.abstract(numID); a != nil && styleID != "" {
			for k := range a.levels {
				if a.levels[k].style == styleID {
					return numID, k, true
				}
			}
		}
		ilvl = 0
	}
	return numID, ilvl, true
}

// abstract finds a w:num's abstract numbering and the key of its counters,
// following w:numStyleLink once or twice.
func (n *numbering) abstract(numID string) (*abstractNum, string) {
	for range 3 {
		ni := n.nums[numID]
		if ni == nil {
			return nil, ""
		}
		a := n.abstracts[ni.abstract]
		if a == nil {
			return nil, ""
		}
		if a.styleLink == "" {
			return a, "a:" + ni.abstract
		}
		sty := n.styles[a.styleLink]
		if sty == nil || !sty.hasNumID {
			return a, "a:" + ni.abstract
		}
		numID = sty.numID
	}
	return nil, ""
}

// levelOf is the level numID shows at ilvl, overrides applied.
func (n *numbering) levelOf(numID string, a *abstractNum, ilvl int) level {
	if o, ok := n.nums[numID].overrides[ilvl]; ok && o.level != nil {
		return *o.level
	}
	return a.levels[ilvl]
}

// label advances the counters for a paragraph at (numID, ilvl) and returns
// the number text Word shows before it, with its suffix; "" for none.
func (n *numbering) label(p paraNum) string {
	numID, ilvl, ok := n.resolve(p)
	if !ok {
		return ""
	}
	a, key := n.abstract(numID)
	if a == nil {
		return ""
	}
	lv := n.levelOf(numID, a, ilvl)
	if !lv.defined {
		return ""
	}
	ni := n.nums[numID]
	if len(ni.overrides) > 0 {
		key = "n:" + numID
	}
	c := n.count[key]
	if c == nil {
		c = &counters{}
		n.count[key] = c
	}
	startOf := func(k int) int {
		if o, ok := ni.overrides[k]; ok && o.hasStart {
			return o.start
		}
		return n.levelOf(numID, a, k).start
	}
	if c.started[ilvl] {
		c.value[ilvl]++
	} else {
		c.value[ilvl], c.started[ilvl] = startOf(ilvl), true
	}
	for d := ilvl + 1; d < maxLevels; d++ {
		r := n.levelOf(numID, a, d).restart
		if r < 0 {
			r = d
		}
		if r > 0 && ilvl+1 <= r {
			c.started[d] = false
		}
	}
	if lv.format == "bullet" {
		return bulletGlyph(lv.text) + lv.suffix
	}
	var b strings.Builder
	for i := 0; i < len(lv.text); i++ {
		ch := lv.text[i]
		if ch == '%' && i+1 < len(lv.text) && lv.text[i+1] >= '1' && lv.text[i+1] <= '9' {
			k := int(lv.text[i+1] - '1')
			i++
			if k > ilvl {
				continue // Word shows nothing for a deeper level
			}
			v := c.value[k]
			if !c.started[k] {
				v = startOf(k)
			}
			f := n.levelOf(numID, a, k).format
			if lv.legal {
				f = "decimal"
			}
			b.WriteString(formatNumber(v, f))
			continue
		}
		b.WriteByte(ch)
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + lv.suffix
}

// bulletGlyph is a bullet's character as text: the lvlText's first
// character, or • when that is a symbol font's private-use code point (Word's
// usual bullets are U+F0B7 in Symbol, U+F0A7 in Wingdings), which means
// nothing as text.
func bulletGlyph(t string) string {
	r, _ := utf8.DecodeRuneInString(t)
	if t == "" || r == utf8.RuneError || (r >= 0xE000 && r <= 0xF8FF) || r < ' ' {
		return "•"
	}
	return string(r)
}

// formatNumber writes n in a w:numFmt. Unknown formats are decimal, as are
// numbers a format cannot write (letters and roman numerals past their
// useful range, negative numbers).
func formatNumber(n int, format string) string {
	switch format {
	case "none":
		return ""
	case "decimalZero":
		if n >= 0 && n < 10 {
			return "0" + strconv.Itoa(n)
		}
	case "lowerLetter", "upperLetter":
		if n >= 1 && n <= 26*64 {
			ch := byte('a')
			if format == "upperLetter" {
				ch = 'A'
			}
			return strings.Repeat(string(ch+byte((n-1)%26)), (n-1)/26+1)
		}
	case "lowerRoman", "upperRoman":
		if n >= 1 && n < 4000 {
			r := roman(n)
			if format == "lowerRoman" {
				r = strings.ToLower(r)
			}
			return r
		}
	case "ordinal":
		if n >= 0 {
			suf := "th"
			if n%100 < 11 || n%100 > 13 {
				switch n % 10 {
				case 1:
					suf = "st"
				case 2:
					suf = "nd"
				case 3:
					suf = "rd"
				}
			}
			return strconv.Itoa(n) + suf
		}
	case "cardinalText", "ordinalText":
		if n >= 0 && n < 1_000_000 {
			w := cardinal(n)
			if format == "ordinalText" {
				w = ordinalWords(w)
			}
			return strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strconv.Itoa(n)
}

func roman(n int) string {
	vals := [...]int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := [...]string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

var (
	smallWords = [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tensWords = [...]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

// cardinal writes 0 ≤ n < 1,000,000 in English words ("twenty-one").
func cardinal(n int) string {
	switch {
	case n < 20:
		return smallWords[n]
	case n < 100:
		if n%10 == 0 {
			return tensWords[n/10]
		}
		return tensWords[n/10] + "-" + smallWords[n%10]
	case n < 1000:
		if n%100 == 0 {
			return smallWords[n/100] + " hundred"
		}
		return smallWords[n/100] + " hundred " + cardinal(n%100)
	default:
		if n%1000 == 0 {
			return cardinal(n/1000) + " thousand"
		}
		return cardinal(n/1000) + " thousand " + cardinal(n%1000)
	}
}

// ordinalWords turns a cardinal's last word into its ordinal ("twenty-one"
// → "twenty-first").
func ordinalWords(w string) string {
	i := strings.LastIndexAny(w, " -") + 1
	last := w[i:]
	irregular := map[string]string{"one": "first", "two": "second", "three": "third", "five": "fifth",
		"eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
	switch {
	case irregular[last] != "":
		last = irregular[last]
	case strings.HasSuffix(last, "y"):
		last = last[:len(last)-1] + "ieth"
	default:
		last += "th"
	}
	return w[:i] + last
}
