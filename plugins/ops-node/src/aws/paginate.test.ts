import { paginate } from './paginate';

describe('paginate', () => {
  it('follows the next tokens, ends on an empty one, and fetches no further than read', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      first: { items: [1], next: 'b' },
      b: { items: [2], next: 'c' },
      c: { items: [3], next: '' },
    };
    const fetchPage = jest.fn(
      async (token?: string) => pages[token ?? 'first'],
    );

    const all: number[] = [];
    for await (const page of paginate(fetchPage, p => p.next)) {
      all.push(...page.items);
    }
    expect(all).toEqual([1, 2, 3]);
    expect(fetchPage.mock.calls).toEqual([[undefined], ['b'], ['c']]);

    fetchPage.mockClear();
    for await (const page of paginate(fetchPage, p => p.next)) {
      if (page.items.includes(1)) break;
    }
    expect(fetchPage).toHaveBeenCalledTimes(1);
  });
});
