/**
 * A member's tap on a template card, turned into the callback WeCom sends (wecom-protocol.md §6.10): a button
 * (button_interaction) or the submit button (vote / multiple) → `template_card_event` with the key, the card's
 * TaskId and CardType, a fresh ResponseCode for this member's click (§3.6: usable once by update_template_card)
 * and SelectedItems for button_selection / checkbox / select_list; an action_menu item →
 * `template_card_menu_event`. The click is checked against the card first, as the phone only offers what the
 * card shows.
 */
import type { SelectedItem } from '@pairview/wecom/callback';
import type { CallbackEventRequest } from '../callbacks/events.ts';
import type { EmulatorState, InboxMessage } from '../state/index.ts';

export type CardActionKind = 'button' | 'submit' | 'menu';

export interface CardAction {
  action: CardActionKind;
  key: string;
  selectedItems: SelectedItem[];
}

/** A click the card does not offer; the message says why. Nothing was sent. */
export class CardActionError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'CardActionError';
    this.status = status;
  }
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(obj) : []);

/** Reads and checks the console's request body. */
export function parseCardAction(body: unknown): CardAction {
  const input = obj(body);
  const action = input.action;
  if (action !== 'button' && action !== 'submit' && action !== 'menu') throw new CardActionError('"action" must be "button", "submit" or "menu"');
  if (typeof input.key !== 'string') throw new CardActionError('"key" must be the key of the button or menu item');
  const selectedItems: SelectedItem[] = [];
  for (const item of Array.isArray(input.selectedItems) ? input.selectedItems : []) {
    const { questionKey, optionIds } = obj(item);
    if (typeof questionKey !== 'string' || !Array.isArray(optionIds) || optionIds.some((id) => typeof id !== 'string')) {
      throw new CardActionError('"selectedItems" is a list of {"questionKey": "…", "optionIds": ["…"]}');
    }
    selectedItems.push({ questionKey, optionIds: optionIds as string[] });
  }
  return { action, key: input.key, selectedItems };
}

/** The card as the member sees it now. */
export function currentCard(item: InboxMessage): Obj {
  return obj(item.card?.template_card ?? item.content);
}

/** The questions a card asks, with their options: button_selection, checkbox, select_list (§3.2). */
function questions(card: Obj): Map<string, { options: Set<string>; multiple: boolean }> {
  const result = new Map<string, { options: Set<string>; multiple: boolean }>();
  const add = (question: Obj, multiple: boolean) => {
    if (typeof question.question_key === 'string') {
      result.set(question.question_key, { options: new Set(list(question.option_list).map((o) => String(o.id))), multiple });
    }
  };
  add(obj(card.button_selection), false);
  add(obj(card.checkbox), Number(obj(card.checkbox).mode) === 1);
  for (const select of list(card.select_list)) add(select, false);
  return result;
}

/**
 * Checks the click against the card and builds the callback event. Issues the ResponseCode only once the click is
 * known to be valid.
 */
export function cardActionEvent(state: EmulatorState, item: InboxMessage, action: CardAction): CallbackEventRequest {
  if (item.msgtype !== 'template_card' || !item.card) throw new CardActionError('this message is not a template card', 404);
  if (item.status !== 'delivered') throw new CardActionError(`this card was ${item.status}`, 409);
  const card = currentCard(item);
  const taskId = typeof card.task_id === 'string' ? card.task_id : '';
  const cardType = typeof card.card_type === 'string' ? card.card_type : '';
  if (taskId === '') throw new CardActionError('this card has no task_id, so WeCom sends no callback for it', 409);

  if (action.action === 'menu') {
    const keys = list(obj(card.action_menu).action_list).map((a) => String(a.key));
    if (!keys.includes(action.key)) throw new CardActionError(`the card's action_menu has no item with key "${action.key}"`);
  } else {
    if (item.card.replaceName !== undefined || (typeof card.replace_text === 'string' && card.replace_text !== '')) {
      throw new CardActionError('the app already replaced this card\'s buttons; they can no longer be clicked', 409);
    }
    const keys =
      action.action === 'button'
        ? list(card.button_list).filter((b) => Number(b.type ?? 0) === 0).map((b) => String(b.key))
        : [String(obj(card.submit_button).key ?? '')];
    if (!keys.includes(action.key)) throw new CardActionError(`the card has no ${action.action === 'button' ? 'callback button' : 'submit button'} with key "${action.key}"`);
  }

  const asked = questions(card);
  for (const selected of action.selectedItems) {
    const question = asked.get(selected.questionKey);
    if (!question) throw new CardActionError(`the card asks no question "${selected.questionKey}"`);
    const unknown = selected.optionIds.find((id) => !question.options.has(id));
    if (unknown !== undefined) throw new CardActionError(`question "${selected.questionKey}" has no option "${unknown}"`);
    if (!question.multiple && selected.optionIds.length > 1) throw new CardActionError(`question "${selected.questionKey}" takes one option`);
  }

  const userid = item.userid;
  const agentId = item.agentId ?? state.config.app.agentId;
  const responseCode = state.inbox.issueResponseCode(item.msgid, agentId, userid);
  if (action.action === 'menu') {
    return { type: 'template_card_menu_event', fromUserName: userid, agentId, eventKey: action.key, taskId, cardType, responseCode };
  }
  item.card.lastAction = { eventKey: action.key, selectedItems: action.selectedItems, at: state.clock.now() };
  return {
    type: 'template_card_event',
    fromUserName: userid,
    agentId,
    eventKey: action.key,
    taskId,
    cardType,
    responseCode,
    selectedItems: action.selectedItems.filter((s) => s.optionIds.length > 0),
  };
}
