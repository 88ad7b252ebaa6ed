/**
 * The request examples of wecom-protocol.md §3.2 (message bodies), §3.5–3.6, §9 and §10, copied as documented.
 * Only WeCom's placeholders are filled: recipients, `URL`, `MEDIA_ID` (a media id the test uploads first) and the
 * agentid, which the SDK fills from config. Unit tests check they validate; integration tests send them to the
 * emulator ("every documented example runs").
 */

/** Fills the placeholders of a documented body: `URL` → an https URL, `MEDIA_ID` → a real media id. */
export function fill<T>(example: T, values: { mediaId: string; url?: string }): T {
  const url = values.url ?? 'https://work.weixin.qq.com/';
  return JSON.parse(JSON.stringify(example), (_key, value) => {
    if (value === 'URL') return url;
    if (value === 'MEDIA_ID' || value === '1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o' || value === '文件的media_id') return values.mediaId;
    return value;
  }) as T;
}

/** §3.2 message/send bodies, keyed by a short name. Recipients as documented (placeholders). */
export const sendExamples = {
  text: {
    touser: 'UserID1|UserID2|UserID3', toparty: 'PartyID1|PartyID2', totag: 'TagID1 | TagID2',
    msgtype: 'text', agentid: 1,
    text: { content: '你的快递已到，请携带工卡前往邮件中心领取。\n出发前可查看<a href="https://work.weixin.qq.com">邮件中心视频实况</a>，聪明避开排队。' },
    safe: 0, enable_id_trans: 0, enable_duplicate_check: 0, duplicate_check_interval: 1800,
  },
  image: { touser: 'UserID1', msgtype: 'image', agentid: 1, image: { media_id: 'MEDIA_ID' }, safe: 0 },
  voice: { touser: 'UserID1', msgtype: 'voice', agentid: 1, voice: { media_id: 'MEDIA_ID' } },
  file: { touser: 'UserID1', msgtype: 'file', agentid: 1, file: { media_id: '1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o' }, safe: 0 },
  video: { touser: 'UserID1', msgtype: 'video', agentid: 1, video: { media_id: 'MEDIA_ID', title: 'Title', description: 'Description' }, safe: 0 },
  textcard: {
    touser: 'UserID1', msgtype: 'textcard', agentid: 1,
    textcard: {
      title: '领奖通知',
      description: '<div class="gray">2016年9月26日</div> <div class="normal">恭喜你抽中iPhone 7一台，领奖码：xxxx</div><div class="highlight">请于2016年10月10日前联系行政同事领取</div>',
      url: 'URL', btntxt: '更多',
    },
  },
  news: {
    touser: 'UserID1', msgtype: 'news', agentid: 1,
    news: {
      articles: [{
        title: '中秋节礼品领取', description: '今年中秋节公司有豪礼相送', url: 'URL',
        picurl: 'http://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png',
        appid: 'wx123123123123123', pagepath: 'pages/index?userid=zhangsan&orderid=123123123',
      }],
    },
  },
  mpnews: {
    touser: 'UserID1', msgtype: 'mpnews', agentid: 1,
    mpnews: { articles: [{ title: 'Title', thumb_media_id: 'MEDIA_ID', author: 'Author', content_source_url: 'URL', content: 'Content', digest: 'Digest description' }] },
    safe: 0,
  },
  markdown: {
    touser: 'UserID1', msgtype: 'markdown', agentid: 1,
    markdown: {
      content: '您的会议室已经预定，稍后会同步到`邮箱` \n>**事项详情** \n>事　项：<font color="info">开会</font> \n>日　期：<font color="warning">2018年5月18日</font> \n>时　间：<font color="comment">上午9:00-11:00</font> \n>如需修改会议信息，请点击：[修改会议信息](https://work.weixin.qq.com)',
    },
  },
  miniprogram_notice: {
    touser: 'zhangsan|lisi', toparty: '1|2', totag: '1|2', msgtype: 'miniprogram_notice',
    miniprogram_notice: {
      appid: 'wx123123123123123', page: 'pages/index?userid=zhangsan&orderid=123123123',
      title: '会议室预订成功通知', description: '4月27日 16:16', emphasis_first_item: true,
      content_item: [{ key: '会议室', value: '402' }, { key: '会议地点', value: '广州TIT-402会议室' }],
    },
    enable_id_trans: 0, enable_duplicate_check: 0, duplicate_check_interval: 1800,
  },
  text_notice: {
    touser: 'UserID1', msgtype: 'template_card', agentid: 1000002,
    template_card: {
      card_type: 'text_notice',
      source: { icon_url: '图片的url', desc: '企业微信', desc_color: 1 },
      action_menu: { desc: '卡片副交互辅助文本说明', action_list: [{ text: '接受推送', key: 'A' }, { text: '不再推送', key: 'B' }] },
      task_id: 'task_id',
      main_title: { title: '欢迎使用企业微信', desc: '您的好友正在邀请您加入企业微信' },
      quote_area: { type: 1, url: 'https://work.weixin.qq.com', title: '引用文献标题', quote_text: '引用文献样式的引用文案' },
      emphasis_content: { title: '100', desc: '核心数据' },
      sub_title_text: '下载企业微信还能抢红包！',
      horizontal_content_list: [
        { keyname: '邀请人', value: '张三' },
        { type: 1, keyname: '企业微信官网', value: '点击访问', url: 'https://work.weixin.qq.com' },
        { type: 2, keyname: '企业微信下载', value: '企业微信.apk', media_id: '文件的media_id' },
        { type: 3, keyname: '员工信息', value: '点击查看', userid: 'zhangsan' },
      ],
      jump_list: [
        { type: 1, title: '企业微信官网', url: 'https://work.weixin.qq.com' },
        { type: 2, title: '跳转小程序', appid: '小程序的appid', pagepath: '/index.html' },
      ],
      card_action: { type: 1, url: 'https://work.weixin.qq.com' },
    },
  },
  button_interaction: {
    touser: 'UserID1', msgtype: 'template_card',
    template_card: {
      card_type: 'button_interaction',
      source: { icon_url: '图片的url', desc: '企业微信' },
      main_title: { title: '欢迎使用企业微信', desc: '您的好友正在邀请您加入企业微信' },
      sub_title_text: '下载企业微信还能抢红包！', task_id: 'task_id',
      button_selection: {
        question_key: 'btn_question_key1', title: '企业微信评分',
        option_list: [{ id: 'btn_selection_id1', text: '100分' }, { id: 'btn_selection_id2', text: '101分' }],
        selected_id: 'btn_selection_id1',
      },
      button_list: [{ text: '按钮1', style: 1, key: 'button_key_1' }, { text: '按钮2', style: 2, key: 'button_key_2' }],
    },
  },
  vote_interaction: {
    touser: 'UserID1', msgtype: 'template_card',
    template_card: {
      card_type: 'vote_interaction',
      main_title: { title: '欢迎使用企业微信' }, task_id: 'task_id',
      checkbox: {
        question_key: 'question_key1', mode: 1,
        option_list: [{ id: 'option_id1', text: '选择题选项1', is_checked: true }, { id: 'option_id2', text: '选择题选项2', is_checked: false }],
      },
      submit_button: { text: '提交', key: 'key' },
    },
  },
  multiple_interaction: {
    touser: 'UserID1', msgtype: 'template_card',
    template_card: {
      card_type: 'multiple_interaction',
      main_title: { title: '欢迎使用企业微信' }, task_id: 'task_id',
      select_list: [{
        question_key: 'question_key1', title: '选择器标签1', selected_id: 'selection_id1',
        option_list: [{ id: 'selection_id1', text: '选择器选项1' }, { id: 'selection_id2', text: '选择题选项2' }],
      }],
      submit_button: { text: '提交', key: 'key' },
    },
  },
} as const;

/** news_notice has no full example in §3.2 ("text_notice minus emphasis/sub_title plus card_image/image_text_area and vertical_content_list"). */
export const newsNoticeCard = {
  card_type: 'news_notice',
  source: { icon_url: 'https://wework.qpic.cn/wwpic/252813_jOfDHtcISzuodLa_1629280209/0', desc: '企业微信' },
  main_title: { title: '欢迎使用企业微信', desc: '您的好友正在邀请您加入企业微信' },
  card_image: { url: 'https://wework.qpic.cn/wwpic/354393_4zpkKXd7SrGMvfg_1629280616/0', aspect_ratio: 2.25 },
  vertical_content_list: [{ title: '惊喜红包等你来拿', desc: '下载企业微信还能抢红包！' }],
  horizontal_content_list: [{ keyname: '邀请人', value: '张三' }],
  jump_list: [{ type: 1, title: '企业微信官网', url: 'https://work.weixin.qq.com' }],
  card_action: { type: 1, url: 'https://work.weixin.qq.com' },
} as const;

/** §3.6 update_template_card bodies. */
export const updateCardExamples = {
  button: { userids: ['userid1', 'userid2'], partyids: [2, 3], tagids: [44, 55], atall: 0, agentid: 1, response_code: 'response_code', button: { replace_name: 'replace_name' } },
};

/** §9.1 appchat. */
export const appChatExamples = {
  create: { name: 'NAME', owner: 'userid1', userlist: ['userid1', 'userid2', 'userid3'], chatid: 'CHATID' },
  update: { chatid: 'CHATID', name: 'NAME', owner: 'userid2', add_user_list: ['userid1'], del_user_list: ['userid3'] },
  send: { chatid: 'CHATID', msgtype: 'text', text: { content: '你的快递已到\n请携带工卡前往邮件中心领取' }, safe: 0 },
} as const;

/** §9.2 group robot bodies. */
export const robotExamples = {
  text: { msgtype: 'text', text: { content: '广州今日天气：29度，大部分多云，降雨概率：60%', mentioned_list: ['wangqing', '@all'], mentioned_mobile_list: ['13800001111', '@all'] } },
  markdown: { msgtype: 'markdown', markdown: { content: '实时新增用户反馈<font color="warning">132例</font>，请相关同事注意。\n>类型:<font color="comment">用户反馈</font>' } },
  news: { msgtype: 'news', news: { articles: [{ title: '中秋节礼品领取', description: '今年中秋节公司有豪礼相送', url: 'www.qq.com', picurl: 'http://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png' }] } },
} as const;

/** §10 worked example (official, recomputed). */
export const jsapiExample = {
  noncestr: 'Wm3WZYTPz0wzccnW',
  ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
  timestamp: 1414587457,
  url: 'http://mp.weixin.qq.com?params=value',
  signature: '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
} as const;
