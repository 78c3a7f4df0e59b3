// Moving with the follow-ups and outcomes projections (issue 18); the read models have their own.
import { FAMILY_STREAM_PREFIX } from '@app/domain';

export const familyIdOf = (streamId: string) => streamId.slice(FAMILY_STREAM_PREFIX.length);
