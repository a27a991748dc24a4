package pulid

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// MixinWithPrefix returns a mixin giving an entity a prefixed ULID primary key.
func MixinWithPrefix(prefix string) Mixin {
	return Mixin{prefix: prefix}
}

// Mixin adds the "id" field as a prefixed ULID.
type Mixin struct {
	mixin.Schema
	prefix string
}

// Fields adds the id field.
func (m Mixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			GoType(ID("")).
			MaxLen(40).
			Immutable().
			DefaultFunc(func() ID { return New(m.prefix) }),
	}
}

// Annotation records an entity's id prefix for code generation (the prefix
// → table map behind node(id:)).
type Annotation struct {
	Prefix string
}

// Name implements schema.Annotation.
func (Annotation) Name() string { return "PULID" }

// Annotations carries the prefix to the code generator.
func (m Mixin) Annotations() []schema.Annotation {
	return []schema.Annotation{Annotation{Prefix: m.prefix}}
}
