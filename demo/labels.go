package demo

import "github.com/kexi/kexi"

// channelNames are what a Chinese business calls the demo's channel codes: acquisition
// channels (customers' and leads' source), order channels, and the channels of contacts and
// surveys.
var channelNames = [][2]string{
	{chSearchAds, "搜索广告"}, {chWeChat, "微信"}, {chDouyin, "抖音"}, {chXiaohongshu, "小红书"},
	{chReferral, "老客推荐"}, {chStore, "线下门店"}, {chTradeShow, "展会"}, {chOrganic, "自然流量"},
	{ocOnline, "官网商城"}, {ocApp, "App"}, {ocMiniProgram, "小程序"}, {ocStore, "门店"},
	{"phone", "电话"}, {"email", "邮件"}, {"online_chat", "在线客服"}, {"onsite", "上门"},
	{"questionnaire", "问卷"}, {"online_review", "线上评价"},
}

// Labels returns value labels that show the demo's channel codes under the names a Chinese
// business uses (douyin as 抖音), for the settings of a demo database: the data keeps the
// codes, as an import would, and the pages, filters and exports show the names.
func Labels() kexi.ValueLabels {
	ls := make(kexi.ValueLabels, 0, 2*len(channelNames))
	for _, field := range []string{"channel", "source"} {
		for _, c := range channelNames {
			ls = append(ls, kexi.ValueLabel{Field: field, Value: c[0], Label: c[1]})
		}
	}
	return ls
}
