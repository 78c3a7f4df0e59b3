import { APP_CONFIG, AppConfig } from '@app/config';
import { loadCodeLists } from '@app/recording';
import { Global, Module } from '@nestjs/common';

/** Injection token of the loaded `CodeLists` (built in, and the authorities' additions). */
export const CODE_LISTS = Symbol('CodeLists');

/** The code lists, loaded and checked once at start: a broken file stops the API from starting. */
@Global()
@Module({
  providers: [
    {
      provide: CODE_LISTS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadCodeLists({ extraDir: config.codeListsDir }),
    },
  ],
  exports: [CODE_LISTS],
})
export class CodeListsModule {}
