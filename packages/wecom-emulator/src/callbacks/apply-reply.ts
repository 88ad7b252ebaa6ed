/**
 * What a passive reply does on the member's phone (wecom-protocol.md §6.6): text, image, voice, video and news
 * replies arrive as messages from the app; `update_button` greys out the clicked card's buttons with the new
 * label; `update_template_card` replaces the clicked card. Card replies only answer a card event
 * (template_card_event / template_card_menu_event), and find the card by the event's TaskId.
 */
import { Inbox, type InboxMessage } from '../state/inbox.ts';
import type { EmulatorState } from '../state/index.ts';
import type { ApplyReply } from './deliverer.ts';
import { PassiveReplyError, type PassiveReply } from './passive-reply.ts';

export function replyApplier(state: EmulatorState): ApplyReply {
  return (reply, { toUser, event }) => {
    if (event.type === 'unknown' || event.type === 'change_contact') {
      throw new PassiveReplyError(`WeCom ignores passive replies to ${event.type === 'unknown' ? 'this event' : 'change_contact'} callbacks; answer an empty 200`);
    }
    const member = event.fromUserName;
    // §6.6: ToUserName is the member who sent the callback.
    if (toUser.toLowerCase() !== member.toLowerCase()) {
      throw new PassiveReplyError(`the passive reply's ToUserName is "${toUser}", but the callback came from "${member}"; reply to the member who sent it`);
    }
    const agentId = event.agentId ?? state.config.app.agentId;
    if (reply.type === 'update_button' || reply.type === 'update_template_card') {
      if (event.type !== 'template_card_event' && event.type !== 'template_card_menu_event') {
        throw new PassiveReplyError(`an ${reply.type} reply only answers a template_card_event or template_card_menu_event (this was ${event.type})`);
      }
      const item = findCard(state, member, event.taskId);
      if (!item) throw new PassiveReplyError(`${member} has no template card with task_id "${event.taskId}" to update`);
      state.inbox.updateCard(item.msgid, [item.userid], reply.type === 'update_button' ? { replaceName: reply.replaceName } : { template_card: reply.card });
      state.emit({ type: 'card.updated', msgid: item.msgid, userids: [item.userid] });
      return `card ${event.taskId} updated`;
    }
    const userid = state.directory.user(member)?.userid ?? member;
    const { msgtype, content } = asMessage(reply);
    const sentAt = state.clock.now();
    const msgid = Inbox.newMsgid();
    const item: InboxMessage = { msgid, userid, agentId, msgtype, content, sentAt, status: 'delivered' };
    const sent = { msgid, agentId, msgtype, content, sentAt, recipients: [userid], recalled: false };
    state.inbox.record(sent, [item]);
    state.emit({ type: 'message.sent', sent, items: [item] });
    return `${msgtype} message added to ${userid}'s inbox`;
  };
}

/** The member's card with this task_id (as sent or as replaced), newest first. */
export function findCard(state: EmulatorState, userid: string, taskId: string): InboxMessage | undefined {
  return state.inbox
    .items({ userid })
    .filter((item) => item.msgtype === 'template_card' && item.status === 'delivered' && item.card)
    .reverse()
    .find((item) => item.content.task_id === taskId || item.card?.template_card.task_id === taskId);
}

/** A reply as the message/send body the inbox stores. */
function asMessage(reply: Exclude<PassiveReply, { type: 'update_button' | 'update_template_card' }>): { msgtype: string; content: Record<string, unknown> } {
  switch (reply.type) {
    case 'text':
      return { msgtype: 'text', content: { content: reply.content } };
    case 'image':
    case 'voice':
      return { msgtype: reply.type, content: { media_id: reply.mediaId } };
    case 'video':
      return { msgtype: 'video', content: { media_id: reply.mediaId, title: reply.title ?? '', description: reply.description ?? '' } };
    case 'news':
      return {
        msgtype: 'news',
        content: { articles: reply.articles.map((a) => ({ title: a.title, description: a.description ?? '', url: a.url ?? '', picurl: a.picUrl ?? '' })) },
      };
  }
}
