/**
 * Request bodies are validated by pipes, before the handler runs: the global `RequestValidation`
 * checks every `@Body()` typed with a DTO class, and `parsedWith(parse)` runs one of the
 * recording library's parsers on bodies whose shape depends on their content (an event,
 * discriminated by `type`). Both go through `validated` (@app/recording), so a refusal is the
 * same `RequestInvalid` — a problem naming each field and its rule — as before.
 *
 * Not Nest's `ValidationPipe`: `validated` refuses hostile shapes (depth, prototype keys, long
 * arrays) before anything copies the body, and words each error as the API documents it.
 */
import { RequestInvalid, validated } from '@app/recording';
import { ArgumentMetadata, Injectable, Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/** A class with class-validator rules: a request DTO. */
const isDto = (metatype: ArgumentMetadata['metatype']): metatype is new () => object =>
  typeof metatype === 'function' &&
  getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).length > 0;

/** The global pipe (`APP_PIPE`): a `@Body()` whose type is a DTO arrives validated, as that DTO. */
@Injectable()
export class RequestValidation implements PipeTransform {
  transform(value: unknown, { type, metatype }: ArgumentMetadata): unknown {
    return type === 'body' && isDto(metatype) ? validated(metatype, value) : value;
  }
}

/** `@Body(parsedWith(parseRecordEvent))`: the body as the parser makes it, or its refusal. */
export const parsedWith = <T>(
  parse: (body: unknown) => Promise<T>,
): PipeTransform<unknown, Promise<T>> => ({
  transform: (value) => parse(value),
});

/** A path parameter that must be a UUID: anything else is a 400 naming the parameter. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new RequestInvalid([{ field: name, rule: 'isUuid', message: `${name} must be a UUID` }]),
    }),
  );
