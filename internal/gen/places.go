package gen

// country is what the generator knows about one country: how its people,
// places, phones and postcodes look.
type country struct {
	code      string   // ISO 3166-1 alpha-2
	names     []string // other ways people write the country, for duplicates
	calling   string   // international calling code, no "+"
	cities    []city
	cityTotal float64
	streets   []string // street names without their type
	types     []streetType
	units     []string // unit designators for address_line2 ("Apt", "واحد")
	persian   bool     // addresses are written in Persian
	mobiles   []string // mobile prefixes of the national significant number
}

// city is a town with its region, postcode pattern and telephone area codes.
type city struct {
	name   string
	latin  string // Latin name of a Persian city; "" otherwise
	region string
	// post describes postcodes: for US a 3-digit ZIP prefix, for AU the
	// first postcode and the span, for UK the outward areas, for IR the
	// first digit.
	post   string
	lo, hi int
	areas  []string // area codes without the trunk 0
	weight float64
}

// streetType is a street designator with its abbreviations.
type streetType struct {
	full  string
	short []string
}

var usCities = []city{
	{name: "New York", region: "NY", post: "100", lo: 1, hi: 40, areas: []string{"212", "646", "718", "917"}, weight: 20},
	{name: "Brooklyn", region: "NY", post: "112", lo: 1, hi: 39, areas: []string{"718", "347"}, weight: 6},
	{name: "Los Angeles", region: "CA", post: "900", lo: 1, hi: 99, areas: []string{"213", "310", "323", "818"}, weight: 12},
	{name: "Chicago", region: "IL", post: "606", lo: 1, hi: 61, areas: []string{"312", "773", "872"}, weight: 9},
	{name: "Houston", region: "TX", post: "770", lo: 2, hi: 99, areas: []string{"713", "281", "832"}, weight: 7},
	{name: "Phoenix", region: "AZ", post: "850", lo: 3, hi: 86, areas: []string{"602", "480", "623"}, weight: 5},
	{name: "Philadelphia", region: "PA", post: "191", lo: 2, hi: 54, areas: []string{"215", "267"}, weight: 5},
	{name: "San Antonio", region: "TX", post: "782", lo: 1, hi: 66, areas: []string{"210"}, weight: 4},
	{name: "San Diego", region: "CA", post: "921", lo: 1, hi: 99, areas: []string{"619", "858"}, weight: 4},
	{name: "Dallas", region: "TX", post: "752", lo: 1, hi: 99, areas: []string{"214", "469", "972"}, weight: 4},
	{name: "San Jose", region: "CA", post: "951", lo: 10, hi: 99, areas: []string{"408", "669"}, weight: 3},
	{name: "Austin", region: "TX", post: "787", lo: 1, hi: 59, areas: []string{"512", "737"}, weight: 3},
	{name: "Seattle", region: "WA", post: "981", lo: 1, hi: 99, areas: []string{"206"}, weight: 3},
	{name: "Denver", region: "CO", post: "802", lo: 1, hi: 39, areas: []string{"303", "720"}, weight: 3},
	{name: "Boston", region: "MA", post: "021", lo: 8, hi: 37, areas: []string{"617", "857"}, weight: 3},
	{name: "Atlanta", region: "GA", post: "303", lo: 1, hi: 99, areas: []string{"404", "678", "470"}, weight: 3},
	{name: "Miami", region: "FL", post: "331", lo: 1, hi: 99, areas: []string{"305", "786"}, weight: 3},
	{name: "Portland", region: "OR", post: "972", lo: 1, hi: 99, areas: []string{"503", "971"}, weight: 2},
	{name: "Minneapolis", region: "MN", post: "554", lo: 1, hi: 99, areas: []string{"612"}, weight: 2},
	{name: "Nashville", region: "TN", post: "372", lo: 1, hi: 99, areas: []string{"615"}, weight: 2},
	{name: "Columbus", region: "OH", post: "432", lo: 1, hi: 99, areas: []string{"614"}, weight: 2},
	{name: "Charlotte", region: "NC", post: "282", lo: 1, hi: 99, areas: []string{"704", "980"}, weight: 2},
	{name: "Las Vegas", region: "NV", post: "891", lo: 1, hi: 99, areas: []string{"702"}, weight: 2},
	{name: "Detroit", region: "MI", post: "482", lo: 1, hi: 99, areas: []string{"313"}, weight: 2},
	{name: "Baltimore", region: "MD", post: "212", lo: 1, hi: 99, areas: []string{"410", "443"}, weight: 2},
	{name: "Newark", region: "NJ", post: "071", lo: 2, hi: 14, areas: []string{"973", "862"}, weight: 1},
	{name: "Hartford", region: "CT", post: "061", lo: 1, hi: 99, areas: []string{"860"}, weight: 1},
	{name: "Salt Lake City", region: "UT", post: "841", lo: 1, hi: 99, areas: []string{"801", "385"}, weight: 1},
	{name: "Irvine", region: "CA", post: "926", lo: 2, hi: 20, areas: []string{"949"}, weight: 2},
	{name: "Beverly Hills", region: "CA", post: "902", lo: 10, hi: 12, areas: []string{"310"}, weight: 1},
}

var usStreets = []string{
	"Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill",
	"Park", "Walnut", "Sunset", "Lincoln", "Jackson", "Church", "River", "Highland",
	"Ridge", "Spring", "Center", "Franklin", "Madison", "Jefferson", "Chestnut",
	"Willow", "Broadway", "Market", "Union", "Adams", "Forest", "Meadow", "Valley",
	"Lakeview", "Hickory", "Birch", "Sycamore", "Magnolia", "Dogwood", "Jefferson",
	"Kennedy", "Roosevelt", "Wilson", "Grant", "Monroe", "Cherry", "Front", "Mill",
	"Summit", "Prospect", "Pleasant", "Green", "College", "Academy", "Harbor",
	"1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "12th",
}

var usTypes = []streetType{
	{"Street", []string{"St", "St."}}, {"Avenue", []string{"Ave", "Ave.", "Av"}},
	{"Road", []string{"Rd", "Rd."}}, {"Drive", []string{"Dr", "Dr."}},
	{"Lane", []string{"Ln"}}, {"Boulevard", []string{"Blvd", "Blvd."}},
	{"Court", []string{"Ct"}}, {"Place", []string{"Pl"}}, {"Way", []string{"Wy"}},
	{"Terrace", []string{"Ter"}}, {"Parkway", []string{"Pkwy"}}, {"Circle", []string{"Cir"}},
}

var ukCities = []city{
	{name: "London", region: "Greater London", post: "SW E N SE W NW EC WC", areas: []string{"20 7", "20 8", "20 3"}, weight: 30},
	{name: "Manchester", region: "Greater Manchester", post: "M", areas: []string{"161"}, weight: 6},
	{name: "Birmingham", region: "West Midlands", post: "B", areas: []string{"121"}, weight: 6},
	{name: "Leeds", region: "West Yorkshire", post: "LS", areas: []string{"113"}, weight: 4},
	{name: "Glasgow", region: "Scotland", post: "G", areas: []string{"141"}, weight: 4},
	{name: "Edinburgh", region: "Scotland", post: "EH", areas: []string{"131"}, weight: 3},
	{name: "Bristol", region: "Bristol", post: "BS", areas: []string{"117"}, weight: 3},
	{name: "Liverpool", region: "Merseyside", post: "L", areas: []string{"151"}, weight: 3},
	{name: "Cardiff", region: "Wales", post: "CF", areas: []string{"29 20"}, weight: 2},
	{name: "Sheffield", region: "South Yorkshire", post: "S", areas: []string{"114"}, weight: 3},
	{name: "Newcastle upon Tyne", region: "Tyne and Wear", post: "NE", areas: []string{"191"}, weight: 2},
	{name: "Nottingham", region: "Nottinghamshire", post: "NG", areas: []string{"115 9"}, weight: 2},
	{name: "Leicester", region: "Leicestershire", post: "LE", areas: []string{"116"}, weight: 2},
	{name: "Oxford", region: "Oxfordshire", post: "OX", areas: []string{"1865"}, weight: 1},
	{name: "Cambridge", region: "Cambridgeshire", post: "CB", areas: []string{"1223"}, weight: 1},
	{name: "Brighton", region: "East Sussex", post: "BN", areas: []string{"1273"}, weight: 1},
	{name: "Belfast", region: "Northern Ireland", post: "BT", areas: []string{"28 90"}, weight: 2},
	{name: "Reading", region: "Berkshire", post: "RG", areas: []string{"118"}, weight: 1},
	{name: "Southampton", region: "Hampshire", post: "SO", areas: []string{"23 80"}, weight: 1},
	{name: "York", region: "North Yorkshire", post: "YO", areas: []string{"1904"}, weight: 1},
}

var ukStreets = []string{
	"High", "Station", "Church", "Victoria", "Green", "Manor", "Park", "Queens",
	"Kings", "Mill", "London", "Windsor", "Albert", "York", "Grange", "Springfield",
	"New", "School", "North", "South", "West", "Chapel", "Richmond", "Alexandra",
	"George", "Westfield", "Orchard", "Cromwell", "Elm", "Oak", "Highfield",
	"Stanley", "Clarence", "Marlborough", "Cambridge", "Oxford", "St John's",
	"Beech", "Holly", "Mount Pleasant", "Brook", "Meadow", "Priory", "Abbey",
}

var ukTypes = []streetType{
	{"Street", []string{"St", "St."}}, {"Road", []string{"Rd", "Rd."}},
	{"Lane", []string{"Ln"}}, {"Avenue", []string{"Ave"}}, {"Close", []string{"Cl"}},
	{"Crescent", []string{"Cres"}}, {"Gardens", []string{"Gdns"}}, {"Drive", []string{"Dr"}},
	{"Place", []string{"Pl"}}, {"Terrace", []string{"Terr"}}, {"Square", []string{"Sq"}},
	{"Grove", []string{"Gr"}}, {"Court", []string{"Ct"}},
}

var auCities = []city{
	{name: "Sydney", region: "NSW", lo: 2000, hi: 2234, areas: []string{"2 9", "2 8"}, weight: 30},
	{name: "Melbourne", region: "VIC", lo: 3000, hi: 3207, areas: []string{"3 9", "3 8"}, weight: 28},
	{name: "Brisbane", region: "QLD", lo: 4000, hi: 4179, areas: []string{"7 3"}, weight: 14},
	{name: "Perth", region: "WA", lo: 6000, hi: 6199, areas: []string{"8 9"}, weight: 11},
	{name: "Adelaide", region: "SA", lo: 5000, hi: 5199, areas: []string{"8 8"}, weight: 7},
	{name: "Gold Coast", region: "QLD", lo: 4207, hi: 4230, areas: []string{"7 5"}, weight: 3},
	{name: "Canberra", region: "ACT", lo: 2600, hi: 2620, areas: []string{"2 6"}, weight: 2},
	{name: "Newcastle", region: "NSW", lo: 2280, hi: 2310, areas: []string{"2 49"}, weight: 2},
	{name: "Hobart", region: "TAS", lo: 7000, hi: 7099, areas: []string{"3 62"}, weight: 1},
	{name: "Darwin", region: "NT", lo: 800, hi: 832, areas: []string{"8 8"}, weight: 1},
	{name: "Geelong", region: "VIC", lo: 3211, hi: 3228, areas: []string{"3 5"}, weight: 1},
	{name: "Wollongong", region: "NSW", lo: 2500, hi: 2530, areas: []string{"2 42"}, weight: 1},
}

var auStreets = []string{
	"George", "Pitt", "Collins", "Queen", "King", "Elizabeth", "Victoria", "Bourke",
	"Flinders", "Swanston", "Hay", "Murray", "Adelaide", "Ann", "Edward", "Charlotte",
	"Church", "High", "Station", "Park", "Beach", "Ocean", "Bay", "Wattle", "Banksia",
	"Acacia", "Gum Tree", "Kurrajong", "Waratah", "Jacaranda", "Macquarie", "Hunter",
	"Oxford", "Bridge", "Military", "Parramatta", "Anzac", "Botany", "Lygon", "Chapel",
}

var auTypes = []streetType{
	{"Street", []string{"St"}}, {"Road", []string{"Rd"}}, {"Avenue", []string{"Ave"}},
	{"Parade", []string{"Pde"}}, {"Crescent", []string{"Cres"}}, {"Drive", []string{"Dr"}},
	{"Place", []string{"Pl"}}, {"Highway", []string{"Hwy"}}, {"Court", []string{"Ct"}},
	{"Terrace", []string{"Tce"}}, {"Lane", []string{"Ln"}}, {"Close", []string{"Cl"}},
}

var irCities = []city{
	{name: "تهران", latin: "Tehran", region: "تهران", post: "1", areas: []string{"21"}, weight: 30},
	{name: "مشهد", latin: "Mashhad", region: "خراسان رضوی", post: "9", areas: []string{"51"}, weight: 9},
	{name: "اصفهان", latin: "Isfahan", region: "اصفهان", post: "8", areas: []string{"31"}, weight: 7},
	{name: "کرج", latin: "Karaj", region: "البرز", post: "3", areas: []string{"26"}, weight: 6},
	{name: "شیراز", latin: "Shiraz", region: "فارس", post: "7", areas: []string{"71"}, weight: 6},
	{name: "تبریز", latin: "Tabriz", region: "آذربایجان شرقی", post: "5", areas: []string{"41"}, weight: 6},
	{name: "قم", latin: "Qom", region: "قم", post: "3", areas: []string{"25"}, weight: 4},
	{name: "اهواز", latin: "Ahvaz", region: "خوزستان", post: "6", areas: []string{"61"}, weight: 4},
	{name: "کرمانشاه", latin: "Kermanshah", region: "کرمانشاه", post: "6", areas: []string{"83"}, weight: 3},
	{name: "ارومیه", latin: "Urmia", region: "آذربایجان غربی", post: "5", areas: []string{"44"}, weight: 3},
	{name: "رشت", latin: "Rasht", region: "گیلان", post: "4", areas: []string{"13"}, weight: 3},
	{name: "زاهدان", latin: "Zahedan", region: "سیستان و بلوچستان", post: "9", areas: []string{"54"}, weight: 2},
	{name: "کرمان", latin: "Kerman", region: "کرمان", post: "7", areas: []string{"34"}, weight: 2},
	{name: "همدان", latin: "Hamedan", region: "همدان", post: "6", areas: []string{"81"}, weight: 2},
	{name: "یزد", latin: "Yazd", region: "یزد", post: "8", areas: []string{"35"}, weight: 2},
	{name: "اردبیل", latin: "Ardabil", region: "اردبیل", post: "5", areas: []string{"45"}, weight: 2},
	{name: "بندرعباس", latin: "Bandar Abbas", region: "هرمزگان", post: "7", areas: []string{"76"}, weight: 2},
	{name: "اراک", latin: "Arak", region: "مرکزی", post: "3", areas: []string{"86"}, weight: 2},
	{name: "زنجان", latin: "Zanjan", region: "زنجان", post: "4", areas: []string{"24"}, weight: 1},
	{name: "قزوین", latin: "Qazvin", region: "قزوین", post: "3", areas: []string{"28"}, weight: 1},
	{name: "ساری", latin: "Sari", region: "مازندران", post: "4", areas: []string{"11"}, weight: 1},
	{name: "گرگان", latin: "Gorgan", region: "گلستان", post: "4", areas: []string{"17"}, weight: 1},
	{name: "سنندج", latin: "Sanandaj", region: "کردستان", post: "6", areas: []string{"87"}, weight: 1},
	{name: "خرم\u200cآباد", latin: "Khorramabad", region: "لرستان", post: "6", areas: []string{"66"}, weight: 1},
	{name: "بوشهر", latin: "Bushehr", region: "بوشهر", post: "7", areas: []string{"77"}, weight: 1},
	{name: "شهرکرد", latin: "Shahrekord", region: "چهارمحال و بختیاری", post: "8", areas: []string{"38"}, weight: 1},
	{name: "سمنان", latin: "Semnan", region: "سمنان", post: "3", areas: []string{"23"}, weight: 1},
	{name: "بیرجند", latin: "Birjand", region: "خراسان جنوبی", post: "9", areas: []string{"56"}, weight: 1},
	{name: "بجنورد", latin: "Bojnurd", region: "خراسان شمالی", post: "9", areas: []string{"58"}, weight: 1},
	{name: "ایلام", latin: "Ilam", region: "ایلام", post: "6", areas: []string{"84"}, weight: 1},
	{name: "یاسوج", latin: "Yasuj", region: "کهگیلویه و بویراحمد", post: "7", areas: []string{"74"}, weight: 1},
	{name: "کاشان", latin: "Kashan", region: "اصفهان", post: "8", areas: []string{"31"}, weight: 1},
}

var irStreets = []string{
	"ولیعصر", "انقلاب", "آزادی", "شریعتی", "فردوسی", "حافظ", "سعدی", "امام خمینی",
	"جمهوری اسلامی", "کریمخان زند", "مطهری", "طالقانی", "بهشتی", "پاسداران",
	"نیاوران", "ستارخان", "میرداماد", "ظفر", "دولت", "پیروزی", "نارمک", "تهرانپارس",
	"کشاورز", "فاطمی", "جمالزاده", "آیت\u200cالله کاشانی", "شهید چمران", "مدرس", "سپهبد قرنی",
	"استاد معین", "نواب", "هفت تیر", "مفتح", "گاندی", "وزرا", "شیخ بهایی", "ملاصدرا",
	"دکتر حسابی", "سمیه", "منوچهری", "لاله\u200cزار", "امیرکبیر", "کارگر", "باهنر",
	"چهارباغ", "توحید", "نظامی", "خیام", "مولوی", "بوعلی سینا", "شهید رجایی",
	"آفریقا", "اندرزگو", "دماوند", "پونک", "سعادت\u200cآباد", "شهرک غرب", "زعفرانیه",
}

var irAlleys = []string{
	"نسترن", "یاس", "بهار", "لاله", "نرگس", "شقایق", "اقاقیا", "گلستان", "سروستان",
	"صنوبر", "ارغوان", "مریم", "سوسن", "بنفشه", "زنبق", "پروین", "مهر", "آبان",
	"شهید احمدی", "شهید رضایی", "شهید کریمی", "دانش", "امید", "فرهنگ", "ششم", "دوم",
	"سوم", "چهارم", "پنجم", "هفتم", "دهم", "دوازدهم", "بیستم", "اول",
}

var irTypes = []streetType{
	{"خیابان", []string{"خ", "خ."}}, {"بلوار", []string{"بل", "بلو."}},
	{"میدان", []string{"م", "م."}},
}

// irMobiles are Iranian mobile prefixes (after the trunk 0).
var irMobiles = []string{
	"912", "912", "912", "919", "919", "935", "936", "937", "938", "939", "901", "902",
	"903", "905", "910", "911", "913", "914", "915", "916", "917", "918", "920",
	"921", "922", "930", "933", "990", "991", "992",
}

// newCountries builds the country tables.
func newCountries() map[string]*country {
	m := map[string]*country{
		"US": {code: "US", names: []string{"USA", "United States", "U.S.A.", "United States of America", "us"},
			calling: "1", cities: usCities, streets: usStreets, types: usTypes,
			units: []string{"Apt", "Suite", "Unit", "#"}},
		"GB": {code: "GB", names: []string{"UK", "United Kingdom", "England", "Great Britain", "gb"},
			calling: "44", cities: ukCities, streets: ukStreets, types: ukTypes,
			units: []string{"Flat", "Flat", "Apartment", "Unit"}, mobiles: []string{"7"}},
		"AU": {code: "AU", names: []string{"Australia", "AUS", "australia", "Aust."},
			calling: "61", cities: auCities, streets: auStreets, types: auTypes,
			units: []string{"Unit", "Apt", "Level", "Suite"}, mobiles: []string{"4"}},
		"IR": {code: "IR", names: []string{"Iran", "ایران", "IRAN", "Islamic Republic of Iran", "جمهوری اسلامی ایران"},
			calling: "98", cities: irCities, streets: irStreets, types: irTypes,
			units: []string{"واحد", "طبقه"}, persian: true, mobiles: irMobiles},
	}
	for _, c := range m {
		for _, ct := range c.cities {
			c.cityTotal += ct.weight
		}
	}
	return m
}
