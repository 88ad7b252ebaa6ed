/**
 * One realistic example of every typed callback payload, keyed like `callbackEventTable`, with the values of the
 * wecom-protocol.md §6.10 examples where it has them. Round-trip tests, benchmarks and the emulator use them.
 */
import type { CallbackEventInput, callbackEventTable } from '../callback/events.ts';

const corp = 'ww5823bf96d3bd56c7';
const app = { toUserName: corp, fromUserName: 'zhangsan', createTime: 1409659813, agentId: 1000002 } as const;
const sys = { toUserName: corp, fromUserName: 'sys', createTime: 1403610513 } as const;

export const sampleCallbackEvents = {
  text: { type: 'text', ...app, msgId: '4561255354251345929', content: 'today' },
  image: { type: 'image', ...app, msgId: '1234567890123456', picUrl: 'https://example.com/a.png', mediaId: 'MEDIA_1' },
  voice: { type: 'voice', ...app, msgId: '1234567890123457', mediaId: 'MEDIA_2', format: 'amr' },
  video: { type: 'video', ...app, msgId: '1234567890123458', mediaId: 'MEDIA_3', thumbMediaId: 'THUMB_3' },
  location: { type: 'location', ...app, msgId: '1234567890123459', locationX: 23.134521, locationY: 113.358803, scale: 20, label: '广州市海珠区', appType: 'wxwork' },
  link: { type: 'link', ...app, msgId: '1234567890123460', title: '面试安排', description: 'A <b>link</b> & more', url: 'https://example.com/x?a=1&b=2', picUrl: 'https://example.com/p.png' },
  enter_agent: { type: 'enter_agent', ...app, eventKey: '' },
  subscribe: { type: 'subscribe', ...app },
  unsubscribe: { type: 'unsubscribe', ...app },
  click: { type: 'click', ...app, eventKey: 'TODAY' },
  view: { type: 'view', ...app, eventKey: 'https://example.com/menu' },
  LOCATION: { type: 'LOCATION', ...app, latitude: 23.104105, longitude: 113.320107, precision: 65, appType: 'wxwork' },
  template_card_event: {
    type: 'template_card_event',
    ...app,
    eventKey: 'submit',
    taskId: 'task-1',
    cardType: 'vote_interaction',
    responseCode: 'RESPONSE_CODE_1',
    selectedItems: [
      { questionKey: 'QuestionKey1', optionIds: ['OptionId1', 'OptionId2'] },
      { questionKey: 'QuestionKey2', optionIds: ['OptionId3'] },
    ],
  },
  template_card_menu_event: { type: 'template_card_menu_event', ...app, eventKey: 'menu-mute', taskId: 'task-2', cardType: 'text_notice', responseCode: 'RESPONSE_CODE_2' },
  create_user: {
    type: 'change_contact',
    changeType: 'create_user',
    ...sys,
    userId: 'zhangsan',
    name: '张三',
    department: [1, 2, 3],
    mainDepartment: 1,
    isLeaderInDept: [1, 0, 0],
    directLeader: ['lisi'],
    position: '产品经理',
    mobile: '13800000000',
    gender: 1,
    email: 'zhangsan@gzdev.com',
    bizMail: 'zhangsan@qyycs2.wecom.work',
    status: 1,
    avatar: 'http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0',
    alias: 'zhangsan',
    telephone: '020-123456',
    address: '广州市',
    extAttr: [
      { name: '爱好', type: 0, text: { value: '旅游' } },
      { name: '卡号', type: 1, web: { title: '企业微信', url: 'https://work.weixin.qq.com' } },
    ],
  },
  update_user: { type: 'change_contact', changeType: 'update_user', ...sys, userId: 'zhangsan', newUserId: 'zhangsan2', department: [1] },
  delete_user: { type: 'change_contact', changeType: 'delete_user', ...sys, userId: 'zhangsan' },
  create_party: { type: 'change_contact', changeType: 'create_party', ...sys, id: 2, name: '研发部', parentId: 1, order: 1 },
  update_party: { type: 'change_contact', changeType: 'update_party', ...sys, id: 2, name: '研发中心' },
  delete_party: { type: 'change_contact', changeType: 'delete_party', ...sys, id: 2 },
  update_tag: { type: 'change_contact', changeType: 'update_tag', ...sys, tagId: 1, addUserItems: ['zhangsan', 'lisi'], delUserItems: [], addPartyItems: [2], delPartyItems: [] },
} satisfies Record<keyof typeof callbackEventTable, CallbackEventInput>;
