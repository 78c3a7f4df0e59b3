import { FAMILY_STREAM_PREFIX } from '@app/domain';

export const familyIdOf = (streamId: string) => streamId.slice(FAMILY_STREAM_PREFIX.length);
