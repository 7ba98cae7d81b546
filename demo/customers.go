package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// behaviour is how a customer buys.
type behaviour uint8

const (
	oneTime   behaviour = iota // a single order
	light                      // a few orders, then gone
	regular                    // several orders a year for a year or two
	heavy                      // frequent buyer for years
	whale                      // VIP with hundreds of orders
	duplicate                  // a near-duplicate record of another customer, few or no orders
)

// behaviourMix is the share of each behaviour by customer kind (oneTime … whale).
var behaviourMix = map[kexi.CustomerKind][5]float64{
	kexi.Individual: {0.30, 0.28, 0.31, 0.105, 0.005},
	kexi.Enterprise: {0.18, 0.25, 0.37, 0.17, 0.03},
	kexi.Government: {0.15, 0.30, 0.45, 0.10, 0},
}

// existingShare is the share of customers who were customers before the history begins.
const existingShare = 0.35

// behaviourRate is the median orders per year and the mean active lifetime in days.
var behaviourRate = [5]struct{ rate, life float64 }{
	{0, 0}, {3.5, 200}, {8.6, 650}, {23, 1500}, {100, 6000},
}

// plan is what the generator decided about one customer, beyond the Customer record.
type plan struct {
	kind    kexi.CustomerKind
	beh     behaviour
	female  bool
	acq     int       // day of the first order
	acqTime time.Time // time of the first order
	churn   int       // day the customer stops ordering (g.days: still active)
	back    int       // day the customer comes back after churning, or -1
	backEnd int       // day the customer stops again after coming back
	rate    float64   // orders per year while active
	favs    *picker   // favourite categories
	channel string    // preferred order channel
	sat     float64   // latent satisfaction 0..1
	lo, hi  int       // the customer's own (non-campaign) orders in Batch.Orders
	spend   float64
	orders  int // every order, campaign orders included

	province, city, owner string // as in the customer's record
}

// churned reports whether the customer stopped ordering before the end of the data and did
// not come back by then.
func (p *plan) churned(days int) bool {
	if p.beh == oneTime || p.beh == duplicate {
		return false
	}
	if p.back >= 0 {
		return p.backEnd < days
	}
	return p.churn < days
}

// setupCustomers prepares what drawing customers needs: the acquisition weights of the days,
// the place pickers and the customer ids.
func (g *gen) setupCustomers() {
	w := make([]float64, g.days)
	for d := range w {
		growth := 1 + 0.3*float64(d)/365
		s, _ := season(g.day[d])
		camp := 1.0
		if g.campaignOn(d) >= 0 {
			camp = 1.4
		}
		w[d] = growth * s * math.Sqrt(g.sale[d]) * camp
	}
	g.acq = newCumulative(w)

	provPick := make([]float64, len(provinces))
	g.cityPick = make([]*picker, len(provinces))
	for i, p := range provinces {
		provPick[i] = p.weight
		cw := make([]float64, len(p.cities))
		for j, c := range p.cities {
			cw[j] = c.weight
		}
		g.cityPick[i] = newPicker(cw)
	}
	g.provPick = newPicker(provPick)
	g.cids = newIDBlock("C", g.n, 6)
	g.cust = make([]plan, g.n)
	g.ckpt = make([]rand.PCG, g.n)
}

// place draws a customer's province and city.
func (g *gen) place(r *rand.Rand) (province, string) {
	pi := g.provPick.pick(r)
	return provinces[pi], provinces[pi].cities[g.cityPick[pi].pick(r)].name
}

// customers makes customers [lo, hi) into g.bc, from the customer stream. The last hundredth
// of the customers are near-duplicates of earlier ones.
func (g *gen) customers(lo, hi int) {
	r, src := g.rCust, g.pcgCust
	g.bc = make([]kexi.Customer, hi-lo)
	for i := lo; i < hi; i++ {
		g.ckpt[i] = *src
		g.cust[i] = plan{}
		g.makeCustomer(r, i, &g.bc[i-lo], &g.cust[i])
	}
}

// makeCustomer draws customer i from r into c and p.
func (g *gen) makeCustomer(r *rand.Rand, i int, c *kexi.Customer, p *plan) {
	if i < g.nmain {
		prov, city := g.place(r)
		g.customer(r, c, p, g.cids.id(i), prov, city)
	} else {
		src := r.IntN(g.nmain)
		sc := g.customerAt(src)
		g.duplicate(r, c, p, g.cids.id(i), src, &sc)
	}
	p.province, p.city, p.owner = c.Province, c.City, c.Owner
}

// customerAt makes customer i's record again, from the state its stream had before it.
func (g *gen) customerAt(i int) kexi.Customer {
	src := g.ckpt[i]
	var c kexi.Customer
	var p plan
	g.makeCustomer(rand.New(&src), i, &c, &p)
	return c
}

// ref returns the fields of customer i's record that its orders and contacts repeat.
func (g *gen) ref(i int) kexi.Customer {
	p := &g.cust[i]
	return kexi.Customer{ExternalID: g.cids.id(i), Province: p.province, City: p.city, Owner: p.owner}
}

// customer makes a customer with the id into c and p.
func (g *gen) customer(r *rand.Rand, c *kexi.Customer, p *plan, id string, prov province, city string) {
	c.ExternalID = id
	c.Country = "中国"
	c.Province = prov.name
	c.City = city
	u := r.Float64()
	switch {
	case u < 0.80:
		p.kind = kexi.Individual
	case u < 0.95:
		p.kind = kexi.Enterprise
	default:
		p.kind = kexi.Government
	}
	c.Kind = p.kind
	// About a third were customers before the history begins: their first order in the data
	// is not their first order ever.
	existing := r.Float64() < existingShare
	if existing {
		p.acq = -1 - r.IntN(730)
	} else {
		p.acq = g.acq.sample(r, 0, g.days)
	}

	spending := 1.0
	switch p.kind {
	case kexi.Individual:
		spending = g.person(r, c, p)
	case kexi.Enterprise:
		var domain string
		c.Name, domain = companyName(r, city)
		c.Phone = mobile(r)
		if r.Float64() < 0.6 {
			c.Email = "sales" + strconv.Itoa(r.IntN(100)) + "@" + domain + ".com.cn"
		}
		c.Tags = append(c.Tags, "企业客户")
	case kexi.Government:
		c.Name = city + "市" + publicBodies[r.IntN(len(publicBodies))]
		if r.Float64() < 0.7 {
			c.Phone = mobile(r)
		}
		if r.Float64() < 0.3 {
			c.Email = "office" + strconv.Itoa(100+r.IntN(900)) + "@gov.cn"
		}
		c.Tags = append(c.Tags, "政府采购")
	}

	// Owner: the region's reps; half of the business accounts go to the key-account team.
	reps := regionReps[prov.region]
	switch {
	case p.kind != kexi.Individual && r.Float64() < 0.5:
		c.Owner = salesReps[6+r.IntN(2)]
	case p.kind == kexi.Individual && r.Float64() < 0.12:
		// in the public pool (公海): nobody owns it yet
	default:
		c.Owner = reps[r.IntN(len(reps))]
	}

	// Acquisition channel, and the campaign when one was running in that channel.
	if ci := g.campaignOn(p.acq); ci >= 0 && !existing && g.camps[ci].fits(p.kind) && r.Float64() < 0.55 {
		c.Channel = g.camps[ci].channel
		c.Campaign = g.camps[ci].id
	} else if p.kind == kexi.Individual {
		c.Channel = choice(r, acquisitionIndividual)
	} else {
		c.Channel = choice(r, acquisitionBusiness)
	}

	// Behaviour.
	mix := behaviourMix[p.kind]
	for {
		u = r.Float64()
		p.beh = whale
		for b, s := range mix {
			if u < s {
				p.beh = behaviour(b)
				break
			}
			u -= s
		}
		if !existing || p.beh != oneTime {
			break
		}
	}
	p.back = -1
	p.churn = min(p.acq+1, g.days)
	if p.beh != oneTime {
		br := behaviourRate[p.beh]
		p.rate = lognormal(r, br.rate, 0.45) * spending
		if p.beh == whale {
			p.rate = min(lognormal(r, br.rate, 0.3), 250)
		}
		if p.kind != kexi.Individual {
			p.rate *= 0.6 // businesses order less often, in bulk
		}
		// The active span runs from the first order, or for existing customers from the
		// start of the history (lifetimes are memoryless).
		p.churn = min(max(p.acq, 0)+1+int(r.ExpFloat64()*br.life), g.days)
		if p.beh != whale && p.churn < g.days-120 && r.Float64() < 0.25 {
			back := p.churn + 150 + r.IntN(300)
			if back < g.days {
				p.back = back
				p.backEnd = min(back+1+int(r.ExpFloat64()*br.life*0.7), g.days)
			}
		}
	}
	if p.beh == whale {
		c.Tags = append(c.Tags, "VIP")
	}

	// Satisfaction: lower among those who will leave, higher among VIPs.
	p.sat = 0.74 + 0.13*r.NormFloat64()
	if p.churned(g.days) {
		p.sat -= 0.2
	}
	if p.beh == whale || p.beh == heavy {
		p.sat += 0.05
	}
	p.sat = min(max(p.sat, 0.02), 0.98)

	// Favourite categories and order channel.
	cw := make([]float64, len(categories))
	for k, cat := range categories {
		switch p.kind {
		case kexi.Individual:
			f := cat.femaleFactor
			if !p.female {
				f = 1 / f
			}
			cw[k] = cat.individual * f * (0.2 + 2*r.Float64()*r.Float64())
		case kexi.Enterprise:
			cw[k] = cat.business * (0.3 + r.Float64())
		default:
			cw[k] = cat.government * (0.3 + r.Float64())
		}
	}
	p.favs = newPicker(cw)
	if p.kind == kexi.Individual {
		p.channel = choice(r, orderChannelIndividual)
	} else {
		p.channel = choice(r, orderChannelBusiness)
	}
	if c.Channel == chStore {
		p.channel = ocStore
	}
	if r.Float64() < 0.08 {
		c.Tags = append(c.Tags, "价格敏感")
	}

	p.acqTime = g.at(r, p.acq, g.hoursFor(p, p.channel))
	c.CreatedAt = p.acqTime
	if r.Float64() < 0.4 {
		// Registered a while before the first order.
		c.CreatedAt = p.acqTime.Add(-time.Duration(1+r.IntN(60*24)) * time.Hour)
	}
}

// person fills in an individual's attributes and returns their spending multiplier.
func (g *gen) person(r *rand.Rand, c *kexi.Customer, p *plan) float64 {
	p.female = r.Float64() < 0.56
	c.Gender = "male"
	if p.female {
		c.Gender = "female"
	}
	var local string
	if r.Float64() < 0.08 {
		var first string
		if p.female {
			first = englishFemale[r.IntN(len(englishFemale))]
		} else {
			first = englishMale[r.IntN(len(englishMale))]
		}
		family := englishFamily[r.IntN(len(englishFamily))]
		c.Name = first + " " + family
		local = strings.ToLower(first + "." + family)
	} else {
		sur := surnames[surnamePick.pick(r)]
		given := givenMale
		gp := malePick
		if p.female {
			given, gp = givenFemale, femalePick
		}
		g1 := given[gp.pick(r)]
		c.Name = sur.han + g1.han
		local = sur.pinyin + g1.pinyin
		if r.Float64() < 0.65 {
			g2 := given[gp.pick(r)]
			c.Name += g2.han
			local += g2.pinyin
		}
	}

	// Age: mostly 22–45.
	age := int(math.Round(33 + 10*r.NormFloat64()))
	if r.Float64() < 0.12 {
		age = 55 + r.IntN(20)
	}
	age = min(max(age, 18), 78)
	if r.Float64() < 0.85 {
		birth := g.end.AddDate(-age, -r.IntN(12), -r.IntN(28)-1)
		c.BirthDate = time.Date(birth.Year(), birth.Month(), birth.Day(), 0, 0, 0, 0, time.UTC)
		c.Age = g.end.Year() - birth.Year()
		if g.end.YearDay() < birth.YearDay() {
			c.Age--
		}
	} else if r.Float64() < 0.5 {
		c.Age = age
	}
	switch {
	case age < 23 && r.Float64() < 0.7:
		c.Occupation = "学生"
	case age >= 60:
		c.Occupation = "退休"
	case r.Float64() < 0.9:
		for c.Occupation == "" || c.Occupation == "学生" || c.Occupation == "退休" {
			c.Occupation = choice(r, occupations)
		}
	}
	if r.Float64() < 0.8 {
		c.Education = choice(r, educations)
	}
	spending := 1.0
	if r.Float64() < 0.8 {
		b := incomeBands[bandPick.pick(r)]
		if c.Occupation == "学生" {
			b = incomeBands[0]
		}
		c.IncomeBand = b.label
		c.Income = math.Round((b.lo+r.Float64()*(b.hi-b.lo))/100) * 100
		spending = b.spending
	}

	// Contact details, with some missing and a few malformed.
	switch u := r.Float64(); {
	case u < 0.05:
	case u < 0.065:
		c.Phone = badPhone(r)
	default:
		c.Phone = mobile(r)
	}
	switch u := r.Float64(); {
	case u < 0.35:
	case u < 0.365:
		c.Email = badEmail(r, local)
	default:
		c.Email = email(r, local)
	}
	return spending
}

// duplicate makes a near-duplicate of customer src (whose record is sc) into c and p: the same
// phone, the name written slightly differently, registered again later.
func (g *gen) duplicate(r *rand.Rand, c *kexi.Customer, p *plan, id string, src int, sc *kexi.Customer) {
	*c = *sc
	c.Tags = nil
	c.Campaign = ""
	c.ExternalID = id
	sp := &g.cust[src]
	*p = plan{kind: sp.kind, beh: duplicate, female: sp.female, back: -1, favs: sp.favs,
		channel: sp.channel, sat: sp.sat}
	c.Name = nameVariant(r, c.Name, sp.female)
	if r.Float64() < 0.5 {
		c.Email = ""
	}
	p.acq = max(sp.acq, 0) + r.IntN(g.days-max(sp.acq, 0))
	p.churn = p.acq + 1
	p.acqTime = g.at(r, p.acq, g.hoursFor(p, p.channel))
	c.CreatedAt = p.acqTime
	if r.Float64() < 0.5 {
		p.beh = duplicate // places no order
		p.acq = -1
	} else {
		p.beh = oneTime
		p.sat = sp.sat
	}
}

// nameVariant writes a name slightly differently: a space inside, another last character,
// different case, a shortened company form.
func nameVariant(r *rand.Rand, name string, female bool) string {
	switch {
	case strings.HasSuffix(name, "有限公司"):
		return strings.TrimSuffix(name, "有限公司") + "公司"
	case strings.HasSuffix(name, "局") || strings.HasSuffix(name, "院") || strings.HasSuffix(name, "会") ||
		strings.HasSuffix(name, "校") || strings.HasSuffix(name, "学") || strings.HasSuffix(name, "馆") ||
		strings.HasSuffix(name, "心"):
		return name + "办公室"
	case strings.Contains(name, " "):
		return strings.ToLower(name)
	}
	rs := []rune(name)
	if r.Float64() < 0.5 || len(rs) < 2 {
		return string(rs[:1]) + " " + string(rs[1:])
	}
	given := givenMale
	if female {
		given = givenFemale
	}
	for {
		s := given[r.IntN(len(given))].han
		if s != string(rs[len(rs)-1]) {
			return string(rs[:len(rs)-1]) + s
		}
	}
}

var (
	surnamePick = syllablePicker(surnames)
	malePick    = syllablePicker(givenMale)
	femalePick  = syllablePicker(givenFemale)
	bandPick    = func() *picker {
		w := make([]float64, len(incomeBands))
		for i, b := range incomeBands {
			w[i] = b.weight
		}
		return newPicker(w)
	}()
	emailDomainPick = pickerOf(emailDomains)
)

func syllablePicker(s []syllable) *picker {
	w := make([]float64, len(s))
	for i := range s {
		w[i] = s[i].weight
	}
	return newPicker(w)
}

// mobile returns a valid-looking Chinese mobile number.
func mobile(r *rand.Rand) string {
	b := make([]byte, 0, 11)
	b = append(b, mobilePrefixes[r.IntN(len(mobilePrefixes))]...)
	for range 8 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}

// badPhone returns a malformed phone number: too short, too long or with letters.
func badPhone(r *rand.Rand) string {
	m := mobile(r)
	switch r.IntN(3) {
	case 0:
		return m[:10]
	case 1:
		return m + strconv.Itoa(r.IntN(10))
	}
	return m[:7] + "xxxx"
}

// email returns a personal e-mail address built on local (the name in pinyin).
func email(r *rand.Rand, local string) string {
	domain := emailDomains[emailDomainPick.pick(r)].v
	if domain == "qq.com" {
		return strconv.Itoa(10000+r.IntN(3_000_000_000)) + "@qq.com"
	}
	if r.Float64() < 0.5 {
		local += strconv.Itoa(r.IntN(100))
	} else if r.Float64() < 0.5 {
		local += strconv.Itoa(1970 + r.IntN(36))
	}
	return local + "@" + domain
}

// badEmail returns a malformed e-mail address.
func badEmail(r *rand.Rand, local string) string {
	switch r.IntN(3) {
	case 0:
		return local + "qq.com"
	case 1:
		return local + "@163"
	}
	return local + "@@126.com"
}

// companyName returns a company name (city + trade name + industry + 有限公司) and its web
// domain name.
func companyName(r *rand.Rand, city string) (name, domain string) {
	form := "有限公司"
	if r.Float64() < 0.1 {
		form = "股份有限公司"
	}
	t := tradeNames[r.IntN(len(tradeNames))]
	return city + t.han + industries[r.IntN(len(industries))] + form, t.pinyin
}

// hoursFor returns the hour-of-day pattern of a customer's orders in a channel.
func (g *gen) hoursFor(p *plan, channel string) *picker {
	if p.kind != kexi.Individual {
		return officePick
	}
	if h, ok := hourPick[channel]; ok {
		return h
	}
	return hourPick[ocOnline]
}

// hourPick and officePick draw hours of the day from hourWeights and officeHours.
var (
	hourPick = func() map[string]*picker {
		m := map[string]*picker{}
		for ch, w := range hourWeights {
			m[ch] = newPicker(w[:])
		}
		return m
	}()
	officePick = newPicker(officeHours[:])
)
