/** 中文 (the default, PAIRVIEW_LOCALE=zh). */
import type { Strings } from './strings.ts';

export const zh: Strings = {
  weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  date: ({ month, day, weekday }) => `${month}月${day}日 ${weekday}`,
  minutes: (n) => `${n} 分钟`,
  list: (items) => items.join('、'),
  source: 'Pairview 面试',
  view: '查看',
  rating: { strong_no: '强烈不推荐', no: '不推荐', yes: '推荐', strong_yes: '强烈推荐' },
  decision: { advance: '推进', another_round: '再加一轮', reject: '拒绝' },
  decided: (decision, by) => `${{ advance: '已推进', another_round: '已加一轮', reject: '已拒绝' }[decision]} · ${by}`,

  field: {
    candidate: '候选人',
    position: '职位',
    time: '时间',
    duration: '时长',
    interviewers: '面试官',
    interviewer: '面试官',
    rating: '评价',
    ratings: '汇总',
    feedback: '反馈',
  },

  invite: {
    title: (candidate) => `面试邀请：${candidate}`,
    subtitle: '请确认是否参加这场面试。',
    rescheduledTitle: (candidate) => `面试改期：${candidate}`,
    rescheduledSubtitle: (from, to) => `时间由 ${from} 改为 ${to}，请重新确认。`,
    accept: '接受',
    decline: '拒绝',
    join: '进入面试间',
    closed: { rescheduled: '已改期', cancelled: '已取消', removed: '已移除' },
  },

  updated: { title: (candidate) => `面试信息已更新：${candidate}`, body: '面试的职位、时长或招聘经理有变化。' },
  cancelled: ({ candidate, position, when, reason }) =>
    `面试已取消：${candidate}（${position}），原定 ${when}。${reason ? `\n原因：${reason}` : ''}`,
  removed: ({ candidate, position, when }) => `你已不在这场面试的面试官名单中，无需参加：${candidate}（${position}），${when}。`,
  accepted: ({ interviewer, candidate, position, when }) => `${interviewer} 接受了面试邀请：${candidate}（${position}），${when}。`,
  declined: ({ interviewer, candidate, position, when }) => `${interviewer} 拒绝了面试邀请：${candidate}（${position}），${when}。`,
  pickReplacement: '选择替补面试官',
  openInterview: '查看面试',
  openRoom: '进入面试间',

  reminder: { title: (candidate) => `15 分钟后面试：${candidate}`, body: '面试即将开始，请准时进入面试间。', button: '进入' },
  candidateJoined: ({ candidate, position }) => `候选人 ${candidate} 已进入面试间（${position}）。`,
  candidateLate: {
    title: (candidate) => `候选人尚未进入：${candidate}`,
    body: (when) => `面试（${when}）已开始 5 分钟，候选人还没有进入面试间。`,
    button: '进入',
  },
  feedback: {
    title: (candidate) => `请填写面试反馈：${candidate}`,
    round: (n, of) => `第 ${n}/${of} 次提醒`,
    button: '填写',
  },

  scorecard: {
    title: (candidate) => `面试反馈：${candidate}`,
    subtitle: ({ interviewer, rating, summary }) => `${interviewer} 的评价：${rating}${summary ? `。${summary}` : ''}`,
    progress: (submitted, expected) => `${submitted}/${expected} 已提交`,
    decidedSubtitle: (label) => `已作出决定：${label}`,
  },
  decisionNotice: ({ label, candidate, position }) => `面试决定：${candidate}（${position}）${label}。`,

  digest: { title: (date) => `今日面试（${date}）`, none: '今天没有面试。' },
  bot: {
    todayTitle: (date) => `今天的面试（${date}）`,
    weekTitle: (from, to) => `本周的面试（${from} – ${to}）`,
    pendingTitle: '待填写的面试反馈',
    noneToday: '今天没有面试。',
    noneThisWeek: '本周没有面试。',
    nonePending: '没有待填写的面试反馈。',
    commands: [
      { command: '今天 / today', does: '今天的面试' },
      { command: '本周 / week', does: '本周的面试' },
      { command: '待面评 / pending', does: '待填写的面试反馈' },
      { command: '帮助 / help', does: '查看这些指令' },
    ],
    helpTitle: '发送以下指令：',
    unknown: '没有听懂这条消息。',
    welcome: '欢迎使用 Pairview 面试助手！面试邀请、提醒和反馈都会发到这里。',
    openPairview: '打开 Pairview',
  },
};
