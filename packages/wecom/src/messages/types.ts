/**
 * App message bodies, exactly as WeCom spells them on the wire (wecom-protocol.md §3.2): a message is
 * `{ msgtype, [msgtype]: body }`, so every example in WeCom's documentation is a valid value of `Message`, and
 * `wecom send --json` takes the same JSON. Builders in ./builders.ts make them read well; ./validate.ts checks the
 * documented limits before anything is sent.
 */

export interface TextBody {
  /** ≤2048 bytes UTF-8; `\n` and `<a href>` allowed. */
  content: string;
}

export interface MediaBody {
  /** From media/upload (temporary, 3 days). */
  media_id: string;
}

export interface VideoBody extends MediaBody {
  /** ≤128 bytes. */
  title?: string;
  /** ≤512 bytes. */
  description?: string;
}

export interface TextCardBody {
  /** ≤128 bytes. */
  title: string;
  /** ≤512 bytes; `<div class="gray|normal|highlight">` allowed. Required (41033). */
  description: string;
  /** http(s) URL, ≤2048 bytes. */
  url: string;
  /** ≤4 characters; WeCom shows "详情" when absent. */
  btntxt?: string;
}

export interface NewsArticle {
  /** ≤128 bytes. */
  title: string;
  /** ≤512 bytes. */
  description?: string;
  /** ≤2048 bytes; required unless appid + pagepath are given. */
  url?: string;
  /** JPG/PNG; 1068×455 for the first article, 150×150 for the others. */
  picurl?: string;
  /** Mini program to open instead of url (with pagepath). */
  appid?: string;
  pagepath?: string;
}

export interface NewsBody {
  /** 1–8 articles. */
  articles: NewsArticle[];
}

export interface MpNewsArticle {
  /** ≤128 bytes. */
  title: string;
  thumb_media_id: string;
  /** ≤64 bytes. */
  author?: string;
  content_source_url?: string;
  /** HTML, ≤666 KB. */
  content: string;
  /** ≤512 bytes. */
  digest?: string;
}

/** Either articles stored with the message, or a permanent mpnews material id. */
export type MpNewsBody = { articles: MpNewsArticle[] } | { media_id: string };

export interface MarkdownBody {
  /** ≤2048 bytes UTF-8; WeCom's markdown subset (headings, bold, links, `code`, quotes, `<font color>`). */
  content: string;
}

export interface MiniprogramNoticeBody {
  appid: string;
  /** ≤1024 bytes. */
  page?: string;
  /** 4–12 characters. */
  title: string;
  /** 4–12 characters. */
  description?: string;
  emphasis_first_item?: boolean;
  /** ≤10 items; key ≤10 characters, value ≤30 characters. */
  content_item?: { key: string; value: string }[];
}

// ---------------------------------------------------------------------------------------------------------------
// template_card (§3.2 card field reference)

export type CardType = 'text_notice' | 'news_notice' | 'button_interaction' | 'vote_interaction' | 'multiple_interaction';

export interface CardSource {
  icon_url?: string;
  /** ≤20 characters. */
  desc?: string;
  /** 0 grey (default), 1 black, 2 red, 3 green. */
  desc_color?: 0 | 1 | 2 | 3;
}

export interface CardActionMenu {
  desc?: string;
  /** 1–3 entries; keys unique, ≤1024 bytes. Needs a task_id on the card. */
  action_list: { text: string; key: string }[];
}

export interface CardMainTitle {
  /** ≤36 characters. */
  title?: string;
  /** ≤44 characters. */
  desc?: string;
}

export interface CardQuoteArea {
  /** 0 none, 1 url, 2 mini program. */
  type?: 0 | 1 | 2;
  url?: string;
  appid?: string;
  pagepath?: string;
  title?: string;
  quote_text?: string;
}

export interface CardEmphasisContent {
  /** ≤14 characters. */
  title?: string;
  /** ≤22 characters. */
  desc?: string;
}

export interface CardHorizontalContent {
  /** 0 text (default), 1 url, 2 attachment (media_id), 3 member (userid). */
  type?: 0 | 1 | 2 | 3;
  /** WeCom advises ≤5 characters. */
  keyname: string;
  /** ≤30 characters. */
  value?: string;
  url?: string;
  media_id?: string;
  userid?: string;
}

export interface CardJump {
  /** 0 none, 1 url, 2 mini program. */
  type?: 0 | 1 | 2;
  /** ≤18 characters. */
  title: string;
  url?: string;
  appid?: string;
  pagepath?: string;
}

export interface CardAction {
  /** 1 url, 2 mini program (0 = no action, button_interaction only). */
  type: 0 | 1 | 2;
  url?: string;
  appid?: string;
  pagepath?: string;
}

export interface CardImage {
  url: string;
  /** 1.3–2.25, default 1.3. */
  aspect_ratio?: number;
}

export interface CardImageTextArea {
  /** 0 none, 1 url, 2 mini program. */
  type?: 0 | 1 | 2;
  url?: string;
  appid?: string;
  pagepath?: string;
  title?: string;
  desc?: string;
  /** WeCom's field name (one SDK spells it `images_url`, a typo — §12 point 10). */
  image_url: string;
}

export interface CardVerticalContent {
  title: string;
  desc?: string;
}

export interface CardOption {
  /** ≤128 bytes, unique within its list. */
  id: string;
  text: string;
}

export interface CardButtonSelection {
  question_key: string;
  title?: string;
  /** 1–10 options. */
  option_list: CardOption[];
  selected_id?: string;
}

export interface CardButton {
  /** 0 callback (default; key required), 1 url. */
  type?: 0 | 1;
  /** ≤10 characters. */
  text: string;
  /** 1–4. */
  style?: 1 | 2 | 3 | 4;
  /** ≤1024 bytes, unique on the card; sent back in the template_card_event callback. */
  key?: string;
  url?: string;
}

export interface CardCheckbox {
  question_key: string;
  /** 1–20 options. */
  option_list: (CardOption & { is_checked?: boolean })[];
  /** 0 single choice (default), 1 multiple choice. */
  mode?: 0 | 1;
}

export interface CardSubmitButton {
  /** ≤10 characters, default "提交". */
  text?: string;
  /** ≤1024 bytes. */
  key: string;
}

export interface CardSelect {
  question_key: string;
  title?: string;
  selected_id?: string;
  /** 1–10 options. */
  option_list: CardOption[];
}

interface CardCommon {
  source?: CardSource;
  action_menu?: CardActionMenu;
  /** Unique per app, `[0-9A-Za-z_\-@]`, ≤128 bytes. Required for interactive cards and with action_menu. */
  task_id?: string;
  main_title?: CardMainTitle;
}

export interface TextNoticeCard extends CardCommon {
  card_type: 'text_notice';
  quote_area?: CardQuoteArea;
  emphasis_content?: CardEmphasisContent;
  /** ≤160 characters. main_title.title or sub_title_text is required. */
  sub_title_text?: string;
  /** ≤6 entries. */
  horizontal_content_list?: CardHorizontalContent[];
  /** ≤3 entries. */
  jump_list?: CardJump[];
  card_action: CardAction;
}

export interface NewsNoticeCard extends CardCommon {
  card_type: 'news_notice';
  main_title: CardMainTitle;
  quote_area?: CardQuoteArea;
  /** card_image or image_text_area is required. */
  card_image?: CardImage;
  image_text_area?: CardImageTextArea;
  /** ≤4 entries. */
  vertical_content_list?: CardVerticalContent[];
  /** ≤6 entries. */
  horizontal_content_list?: CardHorizontalContent[];
  /** ≤3 entries. */
  jump_list?: CardJump[];
  card_action: CardAction;
}

export interface ButtonInteractionCard extends CardCommon {
  card_type: 'button_interaction';
  task_id: string;
  main_title: CardMainTitle;
  quote_area?: CardQuoteArea;
  /** ≤160 characters. */
  sub_title_text?: string;
  /** ≤6 entries. */
  horizontal_content_list?: CardHorizontalContent[];
  card_action?: CardAction;
  button_selection?: CardButtonSelection;
  /** 1–6 buttons. */
  button_list: CardButton[];
}

export interface VoteInteractionCard extends CardCommon {
  card_type: 'vote_interaction';
  task_id: string;
  main_title: CardMainTitle;
  checkbox: CardCheckbox;
  submit_button: CardSubmitButton;
}

export interface MultipleInteractionCard extends CardCommon {
  card_type: 'multiple_interaction';
  task_id: string;
  main_title: CardMainTitle;
  /** 1–3 selectors. */
  select_list: CardSelect[];
  submit_button: CardSubmitButton;
}

export type TemplateCard = TextNoticeCard | NewsNoticeCard | ButtonInteractionCard | VoteInteractionCard | MultipleInteractionCard;

// ---------------------------------------------------------------------------------------------------------------

/** msgtype → body, the one table the message union is built from. */
export interface MessageBodies {
  text: TextBody;
  image: MediaBody;
  voice: MediaBody;
  video: VideoBody;
  file: MediaBody;
  textcard: TextCardBody;
  news: NewsBody;
  mpnews: MpNewsBody;
  markdown: MarkdownBody;
  miniprogram_notice: MiniprogramNoticeBody;
  template_card: TemplateCard;
}

export type MsgType = keyof MessageBodies;

/** `{ msgtype: 'text', text: { content } }` and so on, one member per msgtype. */
export type Message = { [K in MsgType]: { msgtype: K } & { [P in K]: MessageBodies[K] } }[MsgType];

export type MessageOf<K extends MsgType> = Extract<Message, { msgtype: K }>;

export const MSG_TYPES: readonly MsgType[] = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
];

/** Who receives an app message. At least one list must be non-empty. */
export interface Recipients {
  /** Member userids (≤1000, case-insensitive), or `'@all'` for everyone in the app's visible range. */
  toUser?: readonly string[] | '@all';
  /** Department ids (≤100). */
  toParty?: readonly (number | string)[];
  /** Tag ids (≤100). */
  toTag?: readonly (number | string)[];
}
