/**
 * Compile-time tests (octokit's typescript-validate): `npm run typecheck` checks this file; each
 * `@ts-expect-error` line must fail to type-check, or tsc reports the directive as unused. Never executed.
 */
import { CallbackRouter } from './router.ts';

declare const router: CallbackRouter;

// The handler gets the event's fields directly, narrowed by the name.
router.on('template_card_event', (e) => e.eventKey);
router.on('template_card_event', (e) => {
  const picked: string[] = e.selectedItems.flatMap((item) => item.optionIds);
  const same: string = e.event.taskId;
  void [picked, same, e.dedupeKey];
});
router.on('text', /^today$/i, (e) => e.reply({ type: 'text', content: `${e.content} ${e.match?.[0]}` }));
router.on('text', (e) => ({ type: 'news', articles: [{ title: e.content }] }));
router.on('change_contact', 'update_user', (e) => e.newUserId);
router.on('change_contact', (e) => {
  if (e.changeType === 'update_tag') {
    const added: string[] = e.addUserItems;
    void added;
  }
});
router.on('LOCATION', (e) => e.latitude + e.longitude);
router.onAny((e) => (e.type === 'unknown' ? e.raw : e.createTime));

// @ts-expect-error a wrong event name
router.on('template_card_click', () => {});
// @ts-expect-error a field the event does not have
router.on('template_card_event', (e) => e.content);
// @ts-expect-error text has no eventKey
router.on('text', (e) => e.eventKey);
// @ts-expect-error newUserId exists only on update_user
router.on('change_contact', 'delete_user', (e) => e.newUserId);
// @ts-expect-error not a ChangeType
router.on('change_contact', 'rename_user', () => {});
// @ts-expect-error subscribe has nothing to match a pattern against
router.on('subscribe', /x/, () => {});
// @ts-expect-error createTime is a number
router.on('click', (e) => e.createTime.toUpperCase());
// @ts-expect-error a reply must be a PassiveReply
router.on('text', (e) => e.reply({ type: 'text', body: 'hi' }));
// @ts-expect-error update_button needs replaceName
router.on('template_card_event', (e) => e.reply({ type: 'update_button' }));
