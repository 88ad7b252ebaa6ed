/**
 * Builders: `text('hi')`, `textCard({...})`, `templateCard.buttonInteraction({...})`. Each returns the wire-shaped
 * Message (./types.ts); nothing is checked here — `client.message.send` validates the whole request at once.
 */
import type {
  ButtonInteractionCard,
  MessageOf,
  MiniprogramNoticeBody,
  MpNewsArticle,
  MultipleInteractionCard,
  NewsArticle,
  NewsNoticeCard,
  TextCardBody,
  TextNoticeCard,
  VideoBody,
  VoteInteractionCard,
} from './types.ts';

export function text(content: string): MessageOf<'text'> {
  return { msgtype: 'text', text: { content } };
}

export function markdown(content: string): MessageOf<'markdown'> {
  return { msgtype: 'markdown', markdown: { content } };
}

export function image(mediaId: string): MessageOf<'image'> {
  return { msgtype: 'image', image: { media_id: mediaId } };
}

/** voice messages take AMR audio only (§3.2). */
export function voice(mediaId: string): MessageOf<'voice'> {
  return { msgtype: 'voice', voice: { media_id: mediaId } };
}

export function file(mediaId: string): MessageOf<'file'> {
  return { msgtype: 'file', file: { media_id: mediaId } };
}

export function video(mediaId: string, details: Omit<VideoBody, 'media_id'> = {}): MessageOf<'video'> {
  return { msgtype: 'video', video: { media_id: mediaId, ...details } };
}

export function textCard(card: TextCardBody): MessageOf<'textcard'> {
  return { msgtype: 'textcard', textcard: card };
}

export function news(...articles: NewsArticle[]): MessageOf<'news'> {
  return { msgtype: 'news', news: { articles } };
}

export function mpnews(...articles: MpNewsArticle[]): MessageOf<'mpnews'> {
  return { msgtype: 'mpnews', mpnews: { articles } };
}

/** Only for apps bound to a mini program; sent without agentid and never to `@all`. */
export function miniprogramNotice(notice: MiniprogramNoticeBody): MessageOf<'miniprogram_notice'> {
  return { msgtype: 'miniprogram_notice', miniprogram_notice: notice };
}

type CardInput<C> = Omit<C, 'card_type'>;

/** The five template card types (§3.2). Interactive ones need a task_id and a callback URL on the app. */
export const templateCard = {
  textNotice(card: CardInput<TextNoticeCard>): MessageOf<'template_card'> {
    return { msgtype: 'template_card', template_card: { card_type: 'text_notice', ...card } };
  },
  newsNotice(card: CardInput<NewsNoticeCard>): MessageOf<'template_card'> {
    return { msgtype: 'template_card', template_card: { card_type: 'news_notice', ...card } };
  },
  buttonInteraction(card: CardInput<ButtonInteractionCard>): MessageOf<'template_card'> {
    return { msgtype: 'template_card', template_card: { card_type: 'button_interaction', ...card } };
  },
  voteInteraction(card: CardInput<VoteInteractionCard>): MessageOf<'template_card'> {
    return { msgtype: 'template_card', template_card: { card_type: 'vote_interaction', ...card } };
  },
  multipleInteraction(card: CardInput<MultipleInteractionCard>): MessageOf<'template_card'> {
    return { msgtype: 'template_card', template_card: { card_type: 'multiple_interaction', ...card } };
  },
};
