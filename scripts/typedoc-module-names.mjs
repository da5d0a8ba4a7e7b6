// TypeDoc plugin: names each documented module by the specifier users import
// (`hostwire`, `hostwire/dgram`, …) rather than by its file (`index`, `dgram`).
import { Converter, ReflectionKind } from 'typedoc';

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      module.name = module.name === 'index' ? 'hostwire' : `hostwire/${module.name}`;
    }
  });
}
