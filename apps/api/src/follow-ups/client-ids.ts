import { familyReference } from '@app/domain';
import { EventStore } from '@app/event-store';
import { FollowUpPage, FollowUpView, encodeFollowUpCursor, followUpId } from '@app/follow-ups';
import { clientFamilyIds } from '@app/recording';

/**
 * Revisits as an authority's callers know them (issue 16, finding 9). A family stored under an id
 * derived for the caller's authority (`ownFamilyId`, because another authority holds the id its
 * client gave) is shown by the client's id, and so are the follow-up id and the reference derived
 * from it: nothing in the list tells that another authority holds that id.
 */
export async function namedForClient(
  store: Pick<EventStore, 'readStream'>,
  page: FollowUpPage,
): Promise<FollowUpPage> {
  const named = await clientFamilyIds(
    store,
    page.items.map((f) => f.familyId),
  );
  if (!named.size) return page;
  const items = page.items.map((f) => shown(f, named.get(f.familyId)));
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      page.nextCursor && last
        ? encodeFollowUpCursor({ dueAt: last.dueAt, followUpId: last.followUpId })
        : page.nextCursor,
  };
}

function shown(f: FollowUpView, clientId: string | undefined): FollowUpView {
  if (clientId === undefined) return f;
  return {
    ...f,
    familyId: clientId,
    familyReference: familyReference(clientId),
    followUpId: followUpId(clientId, f.episode),
  };
}
