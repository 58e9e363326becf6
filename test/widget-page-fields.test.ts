import { describe, expect, it } from 'vitest';
import { pageFields } from '../web/widget/app/page-fields.js';

describe("the widget's page_url and referrer", () => {
  it('sends origin and path only: no query, fragment or credentials', () => {
    expect(pageFields({ url: 'https://shop.example/cart?coupon=ann@example.test#pay', referrer: 'https://user:pw@search.example/results?q=my+name' })).toEqual({
      page_url: 'https://shop.example/cart',
      referrer: 'https://search.example/results',
    });
  });

  it('leaves out addresses that are not http(s), and an empty referrer', () => {
    expect(pageFields({ url: 'file:///home/ann/shop.html', referrer: '' })).toEqual({});
    expect(pageFields({ url: 'about:srcdoc', referrer: 'javascript:alert(1)' })).toEqual({});
  });
});
