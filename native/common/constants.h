// Frozen objects of numbers for JS. Every record layout, op code and flag
// TypeScript reads is exported through these, from the same C++ constants the
// addon itself uses, so no number is copied into TypeScript by hand; TS reads
// each one once, when its module loads, and hot paths use the copies.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <utility>

namespace hostwire {

using NamedNumber = std::pair<const char*, double>;
using NamedObject = std::pair<const char*, Napi::Object>;

// { name: number, … }, frozen.
inline Napi::Object FrozenNumbers(Napi::Env env, std::initializer_list<NamedNumber> numbers) {
  Napi::Object object = Napi::Object::New(env);
  for (const auto& [name, value] : numbers) object.Set(name, Napi::Number::New(env, value));
  object.Freeze();
  return object;
}

// { name: object, … }, frozen (the objects are frozen by whoever built them).
inline Napi::Object FrozenObjects(Napi::Env env, std::initializer_list<NamedObject> objects) {
  Napi::Object object = Napi::Object::New(env);
  for (const auto& [name, value] : objects) object.Set(name, value);
  object.Freeze();
  return object;
}

}  // namespace hostwire
