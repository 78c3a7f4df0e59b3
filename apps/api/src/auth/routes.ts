import { Permission } from '@app/security';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators';

export interface RouteInfo {
  method: string;
  /** Express-style, e.g. `/v1/families/:familyId`. */
  path: string;
  permission?: Permission;
  isPublic: boolean;
  handler: string;
  /** The controller class and method (for decorators' metadata). */
  target: { controller: new (...args: never[]) => unknown; method: string };
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/**
 * Every route of every controller in the running app, with what the guard will ask of it. Tests
 * walk this list, so an endpoint added later is checked without anyone listing it.
 */
export function routesOf(app: INestApplication): RouteInfo[] {
  const scanner = app.get(MetadataScanner);
  const routes: RouteInfo[] = [];
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
    const prototype = controller.prototype as Record<string, object>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const permission = (Reflect.getMetadata(PERMISSION_KEY, handler) ??
        Reflect.getMetadata(PERMISSION_KEY, controller)) as Permission | undefined;
      const isPublic = !!(
        Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller)
      );
      for (const prefix of prefixes) {
        for (const path of [paths].flat()) {
          routes.push({
            method,
            path: join(prefix, path),
            permission,
            isPublic,
            handler: `${controller.name}.${name}`,
            target: { controller, method: name },
          });
        }
      }
    }
  }
  return routes;
}
