import { describe, expect, it } from 'vitest';
import { html, safeHttpUrl } from './html.ts';
import { messagesFor } from './i18n.ts';
import { renderMarkdown, renderTextContent, renderTextcardDescription } from './markdown.ts';
import { renderMessageBody, renderTemplateCard } from './render-message.ts';

const t = messagesFor('zh');

describe('markdown (the WeCom subset, §3.2)', () => {
  it('renders the documented example: inline code, quotes, bold, font colours and a link', () => {
    const out = renderMarkdown(
      '您的会议室已经预定，稍后会同步到`邮箱` \n>**事项详情** \n>事　项：<font color="info">开会</font> \n>日　期：<font color="warning">2018年5月18日</font> \n>时　间：<font color="comment">上午9:00-11:00</font> \n>如需修改会议信息，请点击：[修改会议信息](https://work.weixin.qq.com)',
    );
    expect(out).toContain('<code>邮箱</code>');
    expect(out).toContain('<blockquote class="md-quote"><strong>事项详情</strong>');
    expect(out).toContain('<span class="font-info">开会</span>');
    expect(out).toContain('<span class="font-warning">2018年5月18日</span>');
    expect(out).toContain('<span class="font-comment">上午9:00-11:00</span>');
    expect(out).toContain('<a href="https://work.weixin.qq.com/" target="_blank" rel="noopener noreferrer">修改会议信息</a>');
  });

  it('renders headings one to six', () => {
    expect(renderMarkdown('# 一级\n###### 六级')).toBe('<h1 class="md-h">一级</h1><h6 class="md-h">六级</h6>');
  });

  it('escapes HTML and refuses non-http links', () => {
    const out = renderMarkdown('<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> <font color="red">r</font>');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('href="javascript');
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('[x](javascript:alert(1))');
    // Only the three documented colours get a class; the text stays.
    expect(out).toContain('&gt; r</div>');
    expect(out).not.toContain('font-red');
  });

  it('keeps quotes in attributes from breaking out of a link', () => {
    const out = renderMarkdown('[a](https://x.test/"onmouseover="alert(1))');
    expect(out).not.toMatch(/"\s*onmouseover=/);
  });
});

describe('text and textcard content', () => {
  it('turns <a href> links and newlines into markup, nothing else', () => {
    expect(renderTextContent('快递到了\n<a href="https://work.weixin.qq.com">查看</a><b>x</b>')).toBe(
      '快递到了<br><a href="https://work.weixin.qq.com/" target="_blank" rel="noopener noreferrer">查看</a>&lt;b&gt;x&lt;/b&gt;',
    );
    expect(renderTextContent('<a href="javascript:alert(1)">x</a>')).toBe('&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;');
  });

  it('keeps the three textcard div classes', () => {
    expect(renderTextcardDescription('<div class="gray">2016年9月26日</div> <div class="highlight">请领取<script></div>')).toBe(
      '<div class="tc-gray">2016年9月26日</div><div class="tc-highlight">请领取&lt;script&gt;</div>',
    );
  });
});

describe('message bodies', () => {
  it('escapes every field of a news message and links only http(s) URLs', () => {
    const out = renderMessageBody('news', { articles: [{ title: '<i>t</i>', description: 'd', url: 'javascript:alert(1)' }] }, t).value;
    expect(out).toContain('&lt;i&gt;t&lt;/i&gt;');
    expect(out).not.toContain('javascript:');
  });

  it('shows images and files as placeholders without fetching anything', () => {
    const out = renderMessageBody('image', { media_id: 'MEDIA"<' }, t).value;
    expect(out).toContain('media-placeholder');
    expect(out).toContain('MEDIA&quot;&lt;');
    expect(out).not.toContain('<img');
  });

  it('renders a button_interaction card as a form with keyed buttons and the selection', () => {
    const out = renderTemplateCard(
      {
        card_type: 'button_interaction',
        main_title: { title: '欢迎使用企业微信' },
        task_id: 'task_id',
        button_selection: {
          question_key: 'q1',
          title: '评分',
          option_list: [
            { id: 'o1', text: '100分' },
            { id: 'o2', text: '101分' },
          ],
          selected_id: 'o2',
        },
        button_list: [
          { text: '按钮1', style: 1, key: 'k1' },
          { text: '链接', type: 1, url: 'https://work.weixin.qq.com' },
        ],
      },
      t,
    ).value;
    expect(out).toContain('data-task-id="task_id"');
    expect(out).toContain('<button type="button" class="card-btn style-1" data-action="button" data-key="k1">按钮1</button>');
    expect(out).toContain('<option value="o2" selected>101分</option>');
    expect(out).toContain('href="https://work.weixin.qq.com/"');
  });

  it('replaces the buttons with one grey label once the app set replace_text', () => {
    const out = renderTemplateCard({ card_type: 'vote_interaction', task_id: 't', checkbox: { question_key: 'q', mode: 1, option_list: [{ id: 'a', text: 'A', is_checked: true }] }, submit_button: { text: '提交', key: 's' }, replace_text: '已投票' }, t).value;
    expect(out).toContain('<button type="button" class="card-btn replaced" disabled>已投票</button>');
    expect(out).not.toContain('data-action="submit"');
    expect(out).toContain('<fieldset class="card-checkbox" disabled>');
    expect(out).toContain('type="checkbox" name="q" value="a" checked');
  });

  it('offers the action menu and the submit button of a multiple_interaction card', () => {
    const out = renderTemplateCard(
      {
        card_type: 'multiple_interaction',
        task_id: 't',
        action_menu: { desc: 'd', action_list: [{ text: '不再推送', key: 'B' }] },
        select_list: [{ question_key: 'q', title: '选择', option_list: [{ id: 'x', text: 'X' }] }],
        submit_button: { text: '提交', key: 'submit' },
      },
      t,
    ).value;
    expect(out).toContain('data-action="menu" data-key="B"');
    expect(out).toContain('<select name="q" ><option value="">请选择</option><option value="x" >X</option></select>');
    expect(out).toContain('data-action="submit" data-key="submit"');
  });
});

describe('html template', () => {
  it('escapes interpolations and accepts only http(s) URLs', () => {
    expect(html`<p title="${'"x'}">${'<b>'}</p>`.value).toBe('<p title="&quot;x">&lt;b&gt;</p>');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,x')).toBeNull();
    expect(safeHttpUrl(' https://a.test/x ')).toBe('https://a.test/x');
  });
});
