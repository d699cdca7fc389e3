/**
 * The pages of a paged AWS call, fetched one at a time as they are read, so
 * a search can stop at the page that has what it looks for. An empty next
 * token (as the Tagging API answers on the last page) ends the pages too.
 */
export async function* paginate<P>(
  fetchPage: (token: string | undefined) => Promise<P>,
  nextToken: (page: P) => string | undefined,
): AsyncGenerator<P> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield page;
    token = nextToken(page) || undefined;
  } while (token);
}
