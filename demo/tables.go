package demo

// This file holds the fixed tables the generator draws from: names, places, products,
// channels, texts. Weights are relative.

// syllable is a Chinese character (or two) with its pinyin, for names and e-mail addresses.
type syllable struct {
	han, pinyin string
	weight      float64
}

// surnames are common Chinese surnames, weighted roughly by their share of the population.
var surnames = []syllable{
	{"王", "wang", 7.1}, {"李", "li", 7.0}, {"张", "zhang", 6.7}, {"刘", "liu", 5.4},
	{"陈", "chen", 4.5}, {"杨", "yang", 3.1}, {"黄", "huang", 2.2}, {"赵", "zhao", 2.0},
	{"吴", "wu", 1.9}, {"周", "zhou", 1.9}, {"徐", "xu", 1.3}, {"孙", "sun", 1.3},
	{"马", "ma", 1.1}, {"朱", "zhu", 1.1}, {"胡", "hu", 1.0}, {"郭", "guo", 1.0},
	{"何", "he", 0.9}, {"高", "gao", 0.9}, {"林", "lin", 0.9}, {"罗", "luo", 0.9},
	{"郑", "zheng", 0.8}, {"梁", "liang", 0.8}, {"谢", "xie", 0.6}, {"宋", "song", 0.6},
	{"唐", "tang", 0.6}, {"许", "xu", 0.5}, {"韩", "han", 0.5}, {"冯", "feng", 0.5},
	{"邓", "deng", 0.5}, {"曹", "cao", 0.5}, {"彭", "peng", 0.4}, {"曾", "zeng", 0.4},
	{"肖", "xiao", 0.4}, {"田", "tian", 0.4}, {"董", "dong", 0.4}, {"袁", "yuan", 0.4},
	{"潘", "pan", 0.3}, {"于", "yu", 0.3}, {"蒋", "jiang", 0.3}, {"蔡", "cai", 0.3},
	{"余", "yu", 0.3}, {"杜", "du", 0.3}, {"叶", "ye", 0.3}, {"程", "cheng", 0.3},
	{"苏", "su", 0.3}, {"魏", "wei", 0.3}, {"吕", "lv", 0.3}, {"丁", "ding", 0.3},
	{"任", "ren", 0.3}, {"沈", "shen", 0.3}, {"欧阳", "ouyang", 0.05}, {"司马", "sima", 0.01},
}

// givenMale and givenFemale are characters common in given names.
var givenMale = []syllable{
	{"伟", "wei", 3}, {"强", "qiang", 2}, {"磊", "lei", 2}, {"军", "jun", 2}, {"勇", "yong", 1.5},
	{"杰", "jie", 2}, {"涛", "tao", 1.5}, {"明", "ming", 2}, {"超", "chao", 1.5}, {"斌", "bin", 1},
	{"鹏", "peng", 1}, {"辉", "hui", 1}, {"浩", "hao", 1.5}, {"宇", "yu", 1.5}, {"轩", "xuan", 1},
	{"俊", "jun", 1}, {"峰", "feng", 1}, {"建", "jian", 1}, {"国", "guo", 1}, {"华", "hua", 1},
	{"平", "ping", 1}, {"刚", "gang", 1}, {"志", "zhi", 1}, {"博", "bo", 1}, {"文", "wen", 1},
	{"亮", "liang", 1}, {"晨", "chen", 1}, {"子", "zi", 1}, {"泽", "ze", 1}, {"一", "yi", 0.8},
}

var givenFemale = []syllable{
	{"芳", "fang", 2}, {"娜", "na", 2.5}, {"敏", "min", 2}, {"静", "jing", 2}, {"丽", "li", 2},
	{"艳", "yan", 1.5}, {"娟", "juan", 1}, {"霞", "xia", 1}, {"燕", "yan", 1}, {"玲", "ling", 1.5},
	{"婷", "ting", 1.5}, {"雪", "xue", 1}, {"琳", "lin", 1}, {"欣", "xin", 1.5}, {"怡", "yi", 1.5},
	{"佳", "jia", 1.5}, {"梦", "meng", 1}, {"悦", "yue", 1}, {"晶", "jing", 1}, {"颖", "ying", 1},
	{"慧", "hui", 1}, {"丹", "dan", 1}, {"倩", "qian", 1}, {"萍", "ping", 1}, {"红", "hong", 1},
	{"诗", "shi", 1}, {"雨", "yu", 1}, {"涵", "han", 1}, {"萱", "xuan", 1}, {"琪", "qi", 1},
}

// English first names and family names for the customers who go by an English name.
var (
	englishMale   = []string{"James", "David", "Michael", "Daniel", "Kevin", "Jason", "Eric", "Peter", "Tony", "Jack", "William", "Andy"}
	englishFemale = []string{"Emily", "Grace", "Linda", "Sophia", "Amy", "Lucy", "Helen", "Cindy", "Vivian", "Sarah", "Jessica", "Anna"}
	englishFamily = []string{"Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Lee", "Lin", "Smith", "Brown", "Taylor", "Wilson", "Johnson", "Miller"}
)

// emailDomains are the mail providers of personal addresses.
var emailDomains = []weighted{
	{"qq.com", 40}, {"163.com", 20}, {"126.com", 8}, {"gmail.com", 6}, {"outlook.com", 6},
	{"sina.com", 4}, {"foxmail.com", 6}, {"139.com", 4}, {"hotmail.com", 3}, {"icloud.com", 3},
}

// mobilePrefixes are the first three digits of Chinese mobile numbers.
var mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
	"151", "152", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181",
	"182", "183", "185", "186", "187", "188", "189", "191", "198", "199"}

// city is a city with its weight inside its province.
type city struct {
	name   string
	weight float64
}

// province is a province (or municipality) with its weight (roughly population × income),
// its region and its main cities.
type province struct {
	name   string
	weight float64
	region string
	cities []city
}

// Regions of China as sales teams and market-share reports split them.
const (
	regionEast      = "华东"
	regionSouth     = "华南"
	regionNorth     = "华北"
	regionCentral   = "华中"
	regionSouthwest = "西南"
	regionNorthwest = "西北"
	regionNortheast = "东北"
)

var provinces = []province{
	{"广东", 12, regionSouth, []city{{"广州", 3}, {"深圳", 3}, {"东莞", 1.2}, {"佛山", 1.2}, {"珠海", 0.5}, {"惠州", 0.5}, {"中山", 0.4}}},
	{"江苏", 10, regionEast, []city{{"苏州", 3}, {"南京", 2.5}, {"无锡", 1.5}, {"常州", 1}, {"南通", 1}, {"徐州", 0.8}}},
	{"浙江", 8, regionEast, []city{{"杭州", 3.5}, {"宁波", 2}, {"温州", 1.2}, {"绍兴", 0.8}, {"金华", 0.8}, {"嘉兴", 0.7}}},
	{"山东", 7.5, regionEast, []city{{"青岛", 2.5}, {"济南", 2}, {"烟台", 1}, {"潍坊", 1}, {"临沂", 0.8}}},
	{"上海", 6, regionEast, []city{{"上海", 1}}},
	{"北京", 6, regionNorth, []city{{"北京", 1}}},
	{"河南", 5, regionCentral, []city{{"郑州", 3}, {"洛阳", 1}, {"南阳", 0.6}}},
	{"四川", 5, regionSouthwest, []city{{"成都", 4}, {"绵阳", 0.6}, {"宜宾", 0.4}}},
	{"湖北", 4.5, regionCentral, []city{{"武汉", 4}, {"宜昌", 0.6}, {"襄阳", 0.6}}},
	{"福建", 4.5, regionEast, []city{{"福州", 2}, {"厦门", 2}, {"泉州", 1.5}}},
	{"湖南", 4, regionCentral, []city{{"长沙", 3}, {"株洲", 0.6}, {"岳阳", 0.5}}},
	{"安徽", 3.5, regionEast, []city{{"合肥", 3}, {"芜湖", 0.7}}},
	{"河北", 3.5, regionNorth, []city{{"石家庄", 2}, {"唐山", 1}, {"保定", 1}}},
	{"天津", 2.5, regionNorth, []city{{"天津", 1}}},
	{"重庆", 2.5, regionSouthwest, []city{{"重庆", 1}}},
	{"陕西", 2.5, regionNorthwest, []city{{"西安", 4}, {"宝鸡", 0.4}}},
	{"辽宁", 2.5, regionNortheast, []city{{"沈阳", 2}, {"大连", 2}}},
	{"江西", 2, regionEast, []city{{"南昌", 2}, {"赣州", 0.6}}},
	{"云南", 2, regionSouthwest, []city{{"昆明", 3}, {"大理", 0.4}}},
	{"广西", 2, regionSouth, []city{{"南宁", 2}, {"柳州", 0.7}, {"桂林", 0.6}}},
	{"山西", 1.5, regionNorth, []city{{"太原", 2}, {"大同", 0.5}}},
	{"贵州", 1.5, regionSouthwest, []city{{"贵阳", 2}, {"遵义", 0.6}}},
	{"黑龙江", 1.2, regionNortheast, []city{{"哈尔滨", 2}, {"大庆", 0.5}}},
	{"吉林", 1, regionNortheast, []city{{"长春", 2}, {"吉林", 0.6}}},
	{"内蒙古", 1, regionNorth, []city{{"呼和浩特", 1}, {"包头", 1}}},
	{"新疆", 0.8, regionNorthwest, []city{{"乌鲁木齐", 1}}},
	{"甘肃", 0.7, regionNorthwest, []city{{"兰州", 1}}},
	{"海南", 0.6, regionSouth, []city{{"海口", 1}, {"三亚", 0.6}}},
	{"宁夏", 0.3, regionNorthwest, []city{{"银川", 1}}},
	{"青海", 0.2, regionNorthwest, []city{{"西宁", 1}}},
	{"西藏", 0.1, regionSouthwest, []city{{"拉萨", 1}}},
}

// salesReps are the logins of the eight sales reps. The first six cover regions; the last two
// are the key-account team that owns half of the enterprise and government customers.
var salesReps = []string{"zhang.wei", "li.na", "wang.fang", "liu.yang", "chen.jing", "yang.lei", "zhao.min", "huang.tao"}

// regionReps says which reps own individual customers in each region.
var regionReps = map[string][]string{
	regionEast:      {"zhang.wei", "li.na"},
	regionSouth:     {"wang.fang"},
	regionNorth:     {"liu.yang"},
	regionNortheast: {"liu.yang"},
	regionCentral:   {"chen.jing"},
	regionSouthwest: {"yang.lei"},
	regionNorthwest: {"yang.lei"},
}

// serviceAgents are the logins of the customer service desk (客服), who take consultations,
// after-sales requests and complaints.
var serviceAgents = []string{"sun.li", "zhou.qian", "wu.hao", "xu.ting", "ma.lin"}

// Acquisition channels (获客渠道).
const (
	chSearchAds   = "search_ads"
	chWeChat      = "wechat"
	chDouyin      = "douyin"
	chXiaohongshu = "xiaohongshu"
	chReferral    = "referral"
	chStore       = "offline_store"
	chTradeShow   = "trade_show"
	chOrganic     = "organic"
)

// acquisitionIndividual and acquisitionBusiness are the base weights of acquisition channels.
var (
	acquisitionIndividual = []weighted{
		{chOrganic, 24}, {chSearchAds, 18}, {chWeChat, 16}, {chDouyin, 14}, {chXiaohongshu, 8},
		{chReferral, 10}, {chStore, 10},
	}
	acquisitionBusiness = []weighted{
		{chTradeShow, 25}, {chSearchAds, 25}, {chReferral, 25}, {chOrganic, 15}, {chWeChat, 10},
	}
	// leadSources weighs the sources of leads that never became customers: social channels
	// bring many leads that rarely convert.
	leadSources = []weighted{
		{chSearchAds, 22}, {chDouyin, 26}, {chWeChat, 16}, {chXiaohongshu, 14}, {chTradeShow, 9},
		{chReferral, 4}, {chOrganic, 9}, {chStore, 4},
	}
)

// Order channels.
const (
	ocOnline      = "online"
	ocApp         = "app"
	ocMiniProgram = "mini_program"
	ocStore       = "store"
	ocPhone       = "phone"
)

var (
	orderChannelIndividual = []weighted{{ocOnline, 35}, {ocApp, 24}, {ocMiniProgram, 17}, {ocStore, 18}, {ocPhone, 6}}
	orderChannelBusiness   = []weighted{{ocOnline, 35}, {ocPhone, 40}, {ocStore, 15}, {ocApp, 10}}
)

// hourWeights gives the hour-of-day pattern of orders by channel: online orders peak in the
// evening, store orders in opening hours, phone orders in office hours.
var hourWeights = map[string][24]float64{
	ocOnline:      {3, 1.5, 0.8, 0.4, 0.3, 0.4, 0.8, 1.5, 3, 4.5, 5.5, 5.5, 5, 4.5, 5, 5, 4.5, 4.5, 5, 6, 7.5, 8.5, 8, 5.5},
	ocApp:         {3.5, 2, 1, 0.5, 0.3, 0.4, 1, 2.5, 3.5, 4, 4.5, 5, 5.5, 4.5, 4, 4, 4, 4.5, 5.5, 6.5, 8, 9, 8.5, 6},
	ocMiniProgram: {2, 1, 0.5, 0.3, 0.2, 0.3, 1, 2.5, 4, 4.5, 5, 6, 6.5, 5, 4.5, 4.5, 4.5, 5, 6, 6.5, 7, 7, 5.5, 3.5},
	ocStore:       {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 5, 5, 6, 6, 6, 6, 7, 8, 7, 4, 0},
	ocPhone:       {0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 7, 7, 3, 4, 7, 7, 6, 5, 2, 0, 0, 0, 0, 0},
}

// officeHours is the hour pattern of enterprise and government orders.
var officeHours = [24]float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 5, 8, 8, 3, 4, 8, 8, 7, 5, 2, 0.5, 0, 0, 0, 0}

// category is a product category with its margin and its popularity among individuals and
// businesses.
type category struct {
	code, name   string
	margin       float64
	individual   float64
	business     float64
	government   float64
	femaleFactor float64 // popularity multiplier for women (men get the inverse)
	bulk         float64 // typical quantity per line for businesses
	returnRate   float64
}

var categories = []category{
	{"DIG", "手机数码", 0.12, 14, 20, 15, 0.7, 2, 0.04},
	{"OFF", "电脑办公", 0.15, 6, 45, 55, 0.8, 3, 0.02},
	{"APP", "家用电器", 0.22, 10, 15, 20, 1.0, 1.5, 0.03},
	{"APL", "服装鞋包", 0.55, 20, 2, 0, 1.4, 10, 0.12},
	{"BTY", "美妆个护", 0.62, 16, 0, 0, 2.2, 5, 0.05},
	{"FOOD", "食品饮料", 0.28, 16, 12, 10, 1.1, 12, 0.02},
	{"HOME", "家居日用", 0.45, 10, 8, 5, 1.3, 8, 0.03},
	{"BABY", "母婴玩具", 0.35, 8, 0, 0, 1.8, 3, 0.04},
}

// productSpec is one product of the catalogue. companions names the products often bought
// with it, separated by "|", the likeliest first: an order with the product adds the first
// with probability 0.45, the next 0.3, any further 0.2 (see order1). They make the baskets'
// affinities (a phone and its case and charger, a laptop and its mouse, face cream and serum,
// nappies and baby food, snacks and water) that the basket analysis finds.
type productSpec struct {
	cat        int
	name       string
	price      float64
	companions string
}

var catalogue = []productSpec{
	{0, "智能手机 Pro 5G", 3999, "手机壳|快充充电器"}, {0, "智能手机 青春版", 1599, "手机壳|快充充电器"}, {0, "无线蓝牙耳机", 299, "充电宝 20000mAh"},
	{0, "降噪头戴耳机", 899, ""}, {0, "智能手表", 1299, "快充充电器"}, {0, "手机壳", 39, "快充充电器|充电宝 20000mAh"},
	{0, "快充充电器", 69, "手机壳|充电宝 20000mAh"}, {0, "充电宝 20000mAh", 129, "快充充电器"},
	{1, "轻薄笔记本电脑", 5499, "无线鼠标|双肩背包"}, {1, "游戏笔记本电脑", 7999, "机械键盘|无线鼠标"}, {1, "27英寸显示器", 1299, "机械键盘"},
	{1, "无线鼠标", 79, "机械键盘"}, {1, "机械键盘", 299, "无线鼠标"}, {1, "激光打印机", 1199, "A4复印纸(5包)"},
	{1, "A4复印纸(5包)", 129, ""}, {1, "人体工学办公椅", 699, ""},
	{2, "变频空调 1.5匹", 2999, ""}, {2, "滚筒洗衣机 10kg", 2499, ""}, {2, "对开门冰箱", 3999, ""},
	{2, "扫地机器人", 1899, ""}, {2, "空气净化器", 1299, ""}, {2, "智能电饭煲", 399, "东北有机大米 5kg"},
	{2, "高速吹风机", 299, "去屑洗发水"}, {2, "破壁料理机", 599, ""},
	{3, "纯棉T恤", 79, "修身牛仔裤|跑步运动鞋"}, {3, "修身牛仔裤", 199, "纯棉T恤"}, {3, "轻薄羽绒服", 699, "羊毛衫"},
	{3, "跑步运动鞋", 399, "纯棉T恤"}, {3, "碎花连衣裙", 259, ""}, {3, "双肩背包", 159, ""}, {3, "羊毛衫", 329, ""},
	{4, "保湿面霜", 268, "精华液|补水面膜(10片)"}, {4, "精华液", 399, "保湿面霜"}, {4, "防晒霜", 129, "补水面膜(10片)"}, {4, "丝绒口红", 199, ""},
	{4, "去屑洗发水", 69, "纯棉毛巾(3条装)"}, {4, "电动牙刷", 249, ""}, {4, "补水面膜(10片)", 99, "保湿面霜|精华液"},
	{5, "东北有机大米 5kg", 69, "特级初榨橄榄油 1L"}, {5, "每日坚果礼盒", 158, "零食大礼包"}, {5, "进口纯牛奶(整箱)", 89, "精品咖啡豆"},
	{5, "精品咖啡豆", 118, "进口纯牛奶(整箱)"}, {5, "龙井茶叶礼盒", 368, ""}, {5, "特级初榨橄榄油 1L", 99, "东北有机大米 5kg"},
	{5, "零食大礼包", 79, "天然矿泉水(整箱)|每日坚果礼盒"}, {5, "天然矿泉水(整箱)", 36, "零食大礼包|抽纸(整箱)"},
	{6, "纯棉四件套", 299, "天然乳胶枕"}, {6, "天然乳胶枕", 199, "纯棉四件套"}, {6, "折叠收纳箱", 59, "抽纸(整箱)"},
	{6, "不粘锅套装", 259, "特级初榨橄榄油 1L"}, {6, "纯棉毛巾(3条装)", 49, "抽纸(整箱)"}, {6, "香薰蜡烛", 89, ""},
	{6, "抽纸(整箱)", 59, "纯棉毛巾(3条装)|天然矿泉水(整箱)"},
	{7, "婴儿纸尿裤", 169, "宝宝辅食米粉|婴儿配方奶粉"}, {7, "婴儿配方奶粉", 329, "宝宝辅食米粉|婴儿纸尿裤"}, {7, "儿童安全座椅", 1299, ""},
	{7, "益智积木玩具", 199, "儿童绘本套装"}, {7, "轻便婴儿推车", 1599, ""}, {7, "儿童绘本套装", 129, "益智积木玩具"},
	{7, "宝宝辅食米粉", 59, "婴儿纸尿裤"},
}

// Occupations and education levels of individual customers.
var (
	occupations = []weighted{
		{"企业职员", 28}, {"工程师", 10}, {"销售", 8}, {"个体经营", 9}, {"教师", 6}, {"医生", 3},
		{"公务员", 5}, {"设计师", 4}, {"自由职业", 7}, {"工人", 8}, {"学生", 6}, {"退休", 6},
	}
	educations = []weighted{{"高中及以下", 22}, {"大专", 26}, {"本科", 38}, {"硕士", 12}, {"博士", 2}}
)

// incomeBand is a band of monthly income in yuan.
type incomeBand struct {
	label    string
	lo, hi   float64
	weight   float64
	spending float64 // order-rate multiplier
}

var incomeBands = []incomeBand{
	{"5千以下", 2500, 5000, 25, 0.75},
	{"5千-1万", 5000, 10000, 35, 1},
	{"1万-2万", 10000, 20000, 25, 1.2},
	{"2万-5万", 20000, 50000, 12, 1.45},
	{"5万以上", 50000, 120000, 3, 1.8},
}

// Enterprise and government names: city + trade name + industry + 有限公司; city + 市 + body.
var (
	tradeNames = []syllable{{"华信", "huaxin", 1}, {"腾达", "tengda", 1}, {"宏远", "hongyuan", 1},
		{"恒通", "hengtong", 1}, {"鑫源", "xinyuan", 1}, {"瑞丰", "ruifeng", 1}, {"金泰", "jintai", 1},
		{"博雅", "boya", 1}, {"新锐", "xinrui", 1}, {"中润", "zhongrun", 1}, {"天合", "tianhe", 1},
		{"嘉禾", "jiahe", 1}, {"永盛", "yongsheng", 1}, {"卓越", "zhuoyue", 1}, {"远航", "yuanhang", 1},
		{"汇通", "huitong", 1}, {"德信", "dexin", 1}, {"安泰", "antai", 1}, {"盛世", "shengshi", 1},
		{"正元", "zhengyuan", 1}, {"启明", "qiming", 1}, {"万象", "wanxiang", 1}, {"东方", "dongfang", 1},
		{"银河", "yinhe", 1}, {"星辰", "xingchen", 1}, {"蓝海", "lanhai", 1}, {"锦程", "jincheng", 1},
		{"信达", "xinda", 1}, {"和润", "herun", 1}, {"鼎盛", "dingsheng", 1}}
	industries = []string{"贸易", "科技", "电子", "实业", "餐饮管理", "建筑工程", "物流", "文化传媒",
		"医疗器械", "教育咨询", "信息技术", "食品", "电子商务", "机械设备", "服装"}
	publicBodies = []string{"教育局", "卫生健康委员会", "公安局", "财政局", "交通运输局", "人民医院",
		"第一中学", "市场监督管理局", "图书馆", "自然资源局", "文化和旅游局", "税务局", "实验小学",
		"疾病预防控制中心", "人民法院"}
)

// Membership levels (custom field 会员等级) and the lifetime spend that reaches them.
var memberLevels = []struct {
	name  string
	spend float64
}{{"普通会员", 0}, {"银卡会员", 2000}, {"金卡会员", 10000}, {"钻石会员", 50000}}

// Custom field names.
const (
	fieldLevel  = "会员等级"
	fieldPoints = "积分"
	fieldSince  = "开卡日期"
)

// Interaction texts.
var (
	interactionSubjects = map[string][]string{
		"consultation":  {"产品咨询", "价格咨询", "物流咨询", "会员权益咨询", "优惠活动咨询", "发票咨询"},
		"communication": {"客户回访", "新品推荐", "续约沟通", "需求确认", "节日问候", "采购计划沟通"},
		"visit":         {"上门拜访", "产品演示", "年度采购洽谈", "合同签订", "项目验收"},
		"after_sales":   {"退换货", "安装调试", "维修", "发票问题", "使用指导", "补发配件"},
		"complaint":     {"物流延误投诉", "商品质量投诉", "客服态度投诉", "价格投诉", "发货错误投诉", "退款慢投诉"},
	}
	interactionChannels = map[string][]weighted{
		"consultation":  {{"online_chat", 45}, {"phone", 30}, {"wechat", 25}},
		"communication": {{"phone", 45}, {"wechat", 40}, {"email", 15}},
		"visit":         {{"onsite", 100}},
		"after_sales":   {{"online_chat", 35}, {"phone", 40}, {"wechat", 15}, {"store", 10}},
		"complaint":     {{"phone", 55}, {"online_chat", 30}, {"wechat", 10}, {"email", 5}},
	}
	// interactionMinutes is the median minutes spent per kind.
	interactionMinutes = map[string]float64{
		"consultation": 8, "communication": 12, "visit": 90, "after_sales": 20, "complaint": 30,
	}
)

// Survey comments by tone.
var (
	commentsGood = []string{"质量不错", "客服态度很好", "物流很快", "性价比高", "包装精美", "会继续回购",
		"售后处理及时", "东西很好用，推荐", "会员活动力度大", "发货速度快"}
	commentsMixed = []string{"还可以", "一般般，价格偏贵", "物流有点慢但东西不错", "质量还行", "包装简单了些",
		"客服回复有点慢"}
	commentsBad = []string{"物流太慢", "价格偏贵", "质量一般", "客服回复慢", "退货流程麻烦", "商品与描述不符",
		"发错货了", "售后没人管", "优惠券用不了", "客服态度差"}
)

// Lost reasons (流失原因) of leads.
const (
	lostPrice      = "价格"
	lostCompetitor = "竞争对手"
	lostBudget     = "无预算"
	lostNoResponse = "无响应"
	lostChange     = "需求变化"
)

// Campaign response kinds.
const (
	respPurchase    = "购买"
	respClick       = "点击"
	respNone        = "无响应"
	respUnsubscribe = "退订"
)

// springFestival holds the dates of the Chinese New Year (春节), month and day by year.
var springFestival = map[int][2]int{
	2015: {2, 19}, 2016: {2, 8}, 2017: {1, 28}, 2018: {2, 16}, 2019: {2, 5}, 2020: {1, 25},
	2021: {2, 12}, 2022: {2, 1}, 2023: {1, 22}, 2024: {2, 10}, 2025: {1, 29}, 2026: {2, 17},
	2027: {2, 6}, 2028: {1, 26}, 2029: {2, 13}, 2030: {2, 3}, 2031: {1, 23}, 2032: {2, 11},
	2033: {1, 31}, 2034: {2, 19}, 2035: {2, 8},
}

// SalesReps returns the logins of the sales reps who own the demo customers.
func SalesReps() []string { return append([]string(nil), salesReps...) }
