import { describe, expect, it } from 'vitest';
import { fill, newsNoticeCard, robotExamples, sendExamples } from '../../test/integration/protocol-examples.ts';
import {
  buildSendBody,
  file,
  image,
  markdown,
  MessageValidationError,
  miniprogramNotice,
  mpnews,
  news,
  parseSendBody,
  robotMessage,
  templateCard,
  text,
  textCard,
  validateMessage,
  validateRecipients,
  validateRobotMessage,
  video,
  voice,
  type Message,
} from './index.ts';
import { memberQuotaKeys } from './send-body.ts';

const AGENT = 1000002;

/** The problems a call throws, as `path: message` lines. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof MessageValidationError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

function withRecipients<T extends object>(example: T, recipients: Record<string, string> = { touser: 'zhangsan' }): T {
  const { touser: _u, toparty: _p, totag: _t, ...rest } = example as Record<string, unknown>;
  return { ...rest, ...recipients } as T;
}

describe('documented examples (wecom-protocol.md §3.2)', () => {
  for (const [name, example] of Object.entries(sendExamples)) {
    it(`accepts the ${name} example and builds the same body with the configured agentid`, () => {
      const documented = fill(withRecipients(example), { mediaId: 'media-1' }) as Record<string, unknown>;
      const { recipients, message, options } = parseSendBody({ ...documented, agentid: undefined }, AGENT);
      const body = buildSendBody(recipients, message, AGENT, options);
      const expected: Record<string, unknown> = { ...documented };
      if (documented.msgtype === 'miniprogram_notice') delete expected.agentid;
      else expected.agentid = AGENT;
      expect(body).toEqual(expected);
    });
  }

  it('accepts the documented text recipients with spaces around "|" and trims them', () => {
    const parsed = parseSendBody({ ...sendExamples.text, toparty: '1|2', totag: '3 | 4', agentid: AGENT }, AGENT);
    expect(parsed.recipients).toEqual({ toUser: ['UserID1', 'UserID2', 'UserID3'], toParty: ['1', '2'], toTag: ['3', '4'] });
    expect(buildSendBody(parsed.recipients, parsed.message, AGENT, parsed.options)).toMatchObject({ touser: 'UserID1|UserID2|UserID3', toparty: '1|2', totag: '3|4' });
  });

  it('accepts a news_notice card built from the field reference', () => {
    expect(() => validateMessage(templateCard.newsNotice(structuredClone(newsNoticeCard) as never))).not.toThrow();
  });
});

describe('builders', () => {
  it('build the wire shape of each msgtype', () => {
    expect(text('hi')).toEqual({ msgtype: 'text', text: { content: 'hi' } });
    expect(markdown('**b**')).toEqual({ msgtype: 'markdown', markdown: { content: '**b**' } });
    expect(image('m')).toEqual({ msgtype: 'image', image: { media_id: 'm' } });
    expect(voice('m')).toEqual({ msgtype: 'voice', voice: { media_id: 'm' } });
    expect(file('m')).toEqual({ msgtype: 'file', file: { media_id: 'm' } });
    expect(video('m', { title: 't' })).toEqual({ msgtype: 'video', video: { media_id: 'm', title: 't' } });
    expect(textCard({ title: 't', description: 'd', url: 'https://x.test' })).toEqual({ msgtype: 'textcard', textcard: { title: 't', description: 'd', url: 'https://x.test' } });
    expect(news({ title: 'a', url: 'https://x.test' })).toEqual({ msgtype: 'news', news: { articles: [{ title: 'a', url: 'https://x.test' }] } });
    expect(mpnews({ title: 'a', thumb_media_id: 'm', content: 'c' }).mpnews).toEqual({ articles: [{ title: 'a', thumb_media_id: 'm', content: 'c' }] });
    expect(miniprogramNotice({ appid: 'wx1', title: '会议室预订成功' }).msgtype).toBe('miniprogram_notice');
  });

  it('templateCard.buttonInteraction builds the documented button_interaction card', () => {
    const { card_type: _ignored, ...fields } = sendExamples.button_interaction.template_card;
    const built = templateCard.buttonInteraction(structuredClone(fields) as never);
    expect(built).toEqual({ msgtype: 'template_card', template_card: sendExamples.button_interaction.template_card });
  });
});

describe('message limits', () => {
  const cases: [string, unknown, string][] = [
    ['text over 2048 bytes', text('字'.repeat(767)), 'text.content: text.content is 2301 bytes; WeCom allows 2048 bytes (UTF-8)'],
    ['empty text', text(''), 'text.content: text.content is empty'],
    ['markdown over 2048 bytes', markdown('a'.repeat(2049)), 'markdown.content: markdown.content is 2049 bytes; WeCom allows 2048 bytes (UTF-8)'],
    ['image without media_id', { msgtype: 'image', image: {} }, 'image.media_id: image.media_id is required (upload the file with media.upload first)'],
    ['video title over 128 bytes', video('m', { title: 'x'.repeat(129) }), 'video.title: video.title is 129 bytes; WeCom allows 128 bytes (UTF-8)'],
    ['textcard without description', { msgtype: 'textcard', textcard: { title: 't', url: 'https://x.test' } }, 'textcard.description: textcard.description is required'],
    ['textcard url without scheme', textCard({ title: 't', description: 'd', url: 'x.test' }), 'textcard.url: textcard.url must be an http:// or https:// URL (got "x.test")'],
    ['textcard btntxt over 4 characters', textCard({ title: 't', description: 'd', url: 'https://x.test', btntxt: '查看详情吧' }), 'textcard.btntxt: textcard.btntxt is 5 characters; WeCom allows 4'],
    ['news with 9 articles', news(...Array.from({ length: 9 }, () => ({ title: 't', url: 'https://x.test' }))), 'news.articles: news.articles has 9 articles; WeCom allows at most 8'],
    ['news with no articles', news(), 'news.articles: news.articles has 0 articles; WeCom requires 1–8'],
    ['news article without url or mini program', news({ title: 't' }), 'news.articles[0].url: news.articles[0].url is required (or appid + pagepath for a mini program)'],
    ['news article with appid but no pagepath', news({ title: 't', appid: 'wx1' }), 'news.articles[0].pagepath: news.articles[0].pagepath is required (a mini program article needs appid and pagepath)'],
    ['mpnews author over 64 bytes', mpnews({ title: 't', thumb_media_id: 'm', content: 'c', author: 'a'.repeat(65) }), 'mpnews.articles[0].author: mpnews.articles[0].author is 65 bytes; WeCom allows 64 bytes (UTF-8)'],
    ['mpnews without thumb', { msgtype: 'mpnews', mpnews: { articles: [{ title: 't', content: 'c' }] } }, 'mpnews.articles[0].thumb_media_id: mpnews.articles[0].thumb_media_id is required (upload the cover image with media.upload first)'],
    ['miniprogram_notice title under 4 characters', miniprogramNotice({ appid: 'wx1', title: '通知' }), 'miniprogram_notice.title: miniprogram_notice.title is 2 characters; WeCom requires at least 4'],
    ['miniprogram_notice 11 items', miniprogramNotice({ appid: 'wx1', title: '会议通知啊', content_item: Array.from({ length: 11 }, () => ({ key: 'k', value: 'v' })) }), 'miniprogram_notice.content_item: miniprogram_notice.content_item has 11 items; WeCom allows at most 10'],
    ['unknown msgtype', { msgtype: 'taskcard', taskcard: {} }, 'msgtype: msgtype is "taskcard"; allowed:'],
  ];
  for (const [name, message, expected] of cases) {
    it(`refuses ${name}`, () => {
      const found = problems(() => validateMessage(message));
      expect(found.some((p) => p.startsWith(expected)), `expected "${expected}" in:\n${found.join('\n')}`).toBe(true);
    });
  }
});

describe('template card limits', () => {
  const base = () => structuredClone(sendExamples.button_interaction.template_card) as Record<string, any>;
  const cases: [string, (card: Record<string, any>) => void, string][] = [
    ['a repeated button key', (c) => (c.button_list[1].key = 'button_key_1'), 'template_card.button_list[1].key: template_card.button_list[1].key repeats button key "button_key_1" (also at template_card.button_list[0].key); button keys must be unique'],
    ['a callback button without key', (c) => delete c.button_list[0].key, 'template_card.button_list[0].key: template_card.button_list[0].key is required (a callback button needs a key)'],
    ['7 buttons', (c) => (c.button_list = Array.from({ length: 7 }, (_, i) => ({ text: `b${i}`, key: `k${i}` }))), 'template_card.button_list: template_card.button_list has 7 buttons; WeCom allows at most 6'],
    ['button text over 10 characters', (c) => (c.button_list[0].text = '一二三四五六七八九十一'), 'template_card.button_list[0].text: template_card.button_list[0].text is 11 characters; WeCom allows 10'],
    ['button style 5', (c) => (c.button_list[0].style = 5), 'template_card.button_list[0].style: template_card.button_list[0].style is 5; allowed: 1, 2, 3, 4'],
    ['no task_id', (c) => delete c.task_id, 'template_card.task_id: template_card.task_id is required (button_interaction cards need one)'],
    ['a task_id with a space', (c) => (c.task_id = 'task 1'), 'template_card.task_id: template_card.task_id must be 1–128 characters'],
    ['main_title over 36 characters', (c) => (c.main_title.title = 'x'.repeat(37)), 'template_card.main_title.title: template_card.main_title.title is 37 characters; WeCom allows 36'],
    ['selected_id not among options', (c) => (c.button_selection.selected_id = 'nope'), 'template_card.button_selection.selected_id: template_card.button_selection.selected_id "nope" is not the id of one of its options'],
    ['a field of another card type', (c) => (c.emphasis_content = { title: '1' }), 'template_card.emphasis_content: template_card.emphasis_content is not used by button_interaction cards (only text_notice)'],
    ['an unknown card type', (c) => (c.card_type = 'fancy'), 'template_card.card_type: template_card.card_type is "fancy"; allowed:'],
    ['source.desc over 20 characters', (c) => (c.source.desc = 'x'.repeat(21)), 'template_card.source.desc: template_card.source.desc is 21 characters; WeCom allows 20'],
  ];
  for (const [name, change, expected] of cases) {
    it(`refuses ${name}`, () => {
      const card = base();
      change(card);
      const found = problems(() => validateMessage({ msgtype: 'template_card', template_card: card }));
      expect(found.some((p) => p.startsWith(expected)), `expected "${expected}" in:\n${found.join('\n')}`).toBe(true);
    });
  }

  it('requires card_action on a text_notice card and a title or sub_title_text', () => {
    expect(problems(() => validateMessage(templateCard.textNotice({} as never)))).toEqual([
      'template_card.main_title.title: a text_notice card needs template_card.main_title.title or template_card.sub_title_text',
      'template_card.card_action: template_card.card_action is required',
    ]);
  });

  it('requires card_image or image_text_area on a news_notice card', () => {
    const { card_image: _i, ...card } = structuredClone(newsNoticeCard);
    expect(problems(() => validateMessage({ msgtype: 'template_card', template_card: card }))).toEqual([
      'template_card.card_image: a news_notice card needs template_card.card_image or template_card.image_text_area',
    ]);
  });

  it('checks vote and multiple cards: option counts, unique ids, submit key', () => {
    const vote = structuredClone(sendExamples.vote_interaction.template_card) as Record<string, any>;
    vote.checkbox.option_list = Array.from({ length: 21 }, (_, i) => ({ id: `o${i % 20}`, text: 't' }));
    delete vote.submit_button.key;
    const found = problems(() => validateMessage({ msgtype: 'template_card', template_card: vote }));
    expect(found).toContain('template_card.checkbox.option_list: template_card.checkbox.option_list has 21 options; WeCom allows at most 20');
    expect(found).toContain('template_card.checkbox.option_list[20].id: template_card.checkbox.option_list[20].id repeats option id "o0" (also at template_card.checkbox.option_list[0].id); option ids must be unique');
    expect(found).toContain('template_card.submit_button.key: template_card.submit_button.key is required');

    const multiple = structuredClone(sendExamples.multiple_interaction.template_card) as Record<string, any>;
    multiple.select_list = [multiple.select_list[0], multiple.select_list[0], multiple.select_list[0], multiple.select_list[0]];
    const found2 = problems(() => validateMessage({ msgtype: 'template_card', template_card: multiple }));
    expect(found2[0]).toBe('template_card.select_list: template_card.select_list has 4 selectors; WeCom allows at most 3');
    expect(found2).toContain('template_card.select_list[1].question_key: template_card.select_list[1].question_key repeats question_key "question_key1" (also at template_card.select_list[0].question_key); question_keys must be unique');
  });

  it('needs a task_id when a notice card has an action_menu, with unique action keys', () => {
    const card = structuredClone(sendExamples.text_notice.template_card) as Record<string, any>;
    delete card.task_id;
    card.action_menu.action_list[1].key = 'A';
    expect(problems(() => validateMessage({ msgtype: 'template_card', template_card: card }))).toEqual([
      'template_card.task_id: template_card.task_id is required (a card with action_menu needs one)',
      'template_card.action_menu.action_list[1].key: template_card.action_menu.action_list[1].key repeats key "A" (also at template_card.action_menu.action_list[0].key); keys must be unique',
    ]);
  });
});

describe('recipients and send options', () => {
  it('refuses more than 1000 users with advice to split the send', () => {
    const toUser = Array.from({ length: 1001 }, (_, i) => `user${i}`);
    expect(problems(() => validateRecipients({ toUser }))).toEqual(['touser: touser lists 1001 members; at most 1000 per message — split the send']);
  });

  it('counts users case-insensitively (WeCom userids are case-insensitive)', () => {
    const toUser = [...Array.from({ length: 1000 }, (_, i) => `user${i}`), 'USER0'];
    expect(problems(() => validateRecipients({ toUser }))).toEqual([]);
  });

  it('refuses more than 100 departments or tags, and ids that are not positive integers', () => {
    const toParty = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(problems(() => validateRecipients({ toParty, toTag: ['x', 0] }))).toEqual([
      'toparty: toparty lists 101 departments; at most 100 per message — split the send',
      'totag[0]: totag[0] "x" is not a tag id (a positive integer)',
      'totag[1]: totag[1] 0 is not a tag id (a positive integer)',
    ]);
  });

  it('refuses an empty recipient set (WeCom would answer 82001) and a malformed userid', () => {
    expect(problems(() => validateRecipients({ toUser: [] }))).toEqual(['recipients: no recipients: set at least one of toUser, toParty or toTag (WeCom answers 82001)']);
    expect(problems(() => validateRecipients({ toUser: ['a|b'] }))[0]).toBe('touser[0]: touser[0] "a|b" is not a userid (1–64 characters of 0-9, A-Z, a-z, _, -, @ and .)');
  });

  it('lists every problem of a send at once', () => {
    const found = problems(() => buildSendBody({ toUser: Array.from({ length: 1001 }, (_, i) => `u${i}`) }, text(''), AGENT, { safe: 2 }));
    expect(found).toEqual([
      'touser: touser lists 1001 members; at most 1000 per message — split the send',
      'text.content: text.content is empty',
      'safe: safe 2 (share inside the corp only) is for mpnews messages only; this is text',
    ]);
    try {
      buildSendBody({}, text(''), AGENT);
    } catch (error) {
      expect((error as Error).message).toBe('message is not valid (2 problems):\n  - no recipients: set at least one of toUser, toParty or toTag (WeCom answers 82001)\n  - text.content is empty');
    }
  });

  it('refuses @all for miniprogram_notice and leaves out its agentid', () => {
    const notice = miniprogramNotice({ appid: 'wx1', title: '会议室预订成功' });
    expect(problems(() => buildSendBody({ toUser: '@all' }, notice, AGENT))).toEqual(['touser: touser is "@all", which miniprogram_notice does not allow; list the members']);
    expect(buildSendBody({ toUser: ['a'] }, notice, AGENT)).not.toHaveProperty('agentid');
  });

  it('checks the duplicate-check interval and the safe flag', () => {
    expect(problems(() => buildSendBody({ toUser: ['a'] }, text('x'), AGENT, { enableDuplicateCheck: true, duplicateCheckInterval: 14401 }))).toEqual([
      'duplicate_check_interval: duplicateCheckInterval is 14401; WeCom allows 1–14400 seconds (4 hours)',
    ]);
    expect(problems(() => buildSendBody({ toUser: ['a'] }, news({ title: 't', url: 'https://x.test' }), AGENT, { safe: 1 }))).toEqual([
      'safe: news messages do not support safe; send an mpnews message instead',
    ]);
  });

  it('joins recipients with "|", dedupes them and writes the options as WeCom flags', () => {
    const body = buildSendBody({ toUser: ['ZhangSan', 'zhangsan', 'lisi'], toParty: [1, '1', 2], toTag: [3] }, text('hi'), AGENT, {
      enableDuplicateCheck: true,
      duplicateCheckInterval: 600,
      enableIdTrans: false,
      safe: 1,
    });
    expect(body).toEqual({
      touser: 'ZhangSan|lisi', toparty: '1|2', totag: '3', msgtype: 'text', agentid: AGENT, text: { content: 'hi' },
      safe: 1, enable_id_trans: 0, enable_duplicate_check: 1, duplicate_check_interval: 600,
    });
  });

  it('derives one lower-cased member quota key per user', () => {
    expect(memberQuotaKeys({ toUser: ['ZhangSan', 'zhangsan', 'LiSi'] })).toEqual(['member:zhangsan', 'member:lisi']);
    expect(memberQuotaKeys({ toUser: '@all' })).toEqual([]);
    expect(memberQuotaKeys({ toParty: [1] })).toEqual([]);
  });
});

describe('parseSendBody', () => {
  it('refuses unknown fields, a body key for another msgtype, and another app\'s agentid', () => {
    expect(problems(() => parseSendBody({ tousr: 'a', msgtype: 'text', markdown: { content: 'x' }, agentid: 5 }, AGENT))).toEqual([
      'tousr: unknown field "tousr"',
      'markdown: unknown field "markdown" (msgtype is "text")',
      'agentid: agentid is 5 but the configured app is 1000002; remove agentid to use the configured one',
    ]);
  });

  it('then checks the message itself', () => {
    expect(problems(() => parseSendBody({ touser: 'a', msgtype: 'text', text: { content: '' } }, AGENT))).toEqual(['text.content: text.content is empty']);
  });

  it('round-trips a body built by buildSendBody', () => {
    const message: Message = templateCard.voteInteraction(structuredClone(sendExamples.vote_interaction.template_card) as never);
    const body = buildSendBody({ toUser: ['a', 'b'], toParty: [2] }, message, AGENT, { enableDuplicateCheck: true });
    const parsed = parseSendBody(JSON.parse(JSON.stringify(body)), AGENT);
    expect(buildSendBody(parsed.recipients, parsed.message, AGENT, parsed.options)).toEqual(body);
  });
});

describe('group robot messages (§9.2)', () => {
  for (const [name, example] of Object.entries(robotExamples)) {
    it(`accepts the documented ${name} example`, () => {
      expect(() => validateRobotMessage(example)).not.toThrow();
    });
  }

  it('builds an image message with base64 and md5 of the raw bytes', () => {
    const message = robotMessage.image(Buffer.from('hello'));
    expect(message).toEqual({ msgtype: 'image', image: { base64: 'aGVsbG8=', md5: '5d41402abc4b2a76b9719d911017c592' } });
  });

  it('allows markdown up to 4096 bytes and only notice cards', () => {
    expect(() => validateRobotMessage(robotMessage.markdown('a'.repeat(4096)))).not.toThrow();
    expect(problems(() => validateRobotMessage(robotMessage.markdown('a'.repeat(4097))))).toEqual([
      'markdown.content: markdown.content is 4097 bytes; WeCom allows 4096 bytes (UTF-8)',
    ]);
    const card = structuredClone(sendExamples.button_interaction.template_card);
    expect(problems(() => validateRobotMessage({ msgtype: 'template_card', template_card: card }))[0]).toBe(
      'template_card.card_type: template_card.card_type is "button_interaction"; allowed: "text_notice", "news_notice"',
    );
  });

  it('requires a url on robot news articles', () => {
    expect(problems(() => validateRobotMessage(robotMessage.news({ title: 't' } as never)))).toEqual(['news.articles[0].url: news.articles[0].url is required']);
  });
});
