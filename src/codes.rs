//! Typed codes: an enum whose variants are stored in the database as text codes.
//!
//! The database code rule (ARCHITECTURE.md): a code is English `snake_case`, the same text
//! in the database, in forms and in URLs; its Vietnamese wording belongs to the enum's
//! `label()`, never to the stored value. [`text_code!`] writes, for one enum, the code of
//! each variant, the parse back from a code, the list of every variant, and the sqlx
//! encoding as `text`, so that rows decode straight into the enum and no code is compared
//! as a string anywhere else.

/// A choice of a form (a radio button or an option): the code sent, its label, and whether
/// it is the one chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// Declares a text-coded enum:
///
/// ```ignore
/// text_code! {
///     /// A meeting's state.
///     pub enum MeetingState { Planned = "planned", Held = "held", Closed = "closed" }
/// }
/// ```
macro_rules! text_code {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The variant of a stored or submitted code.
            #[allow(dead_code)]
            pub fn parse(code: &str) -> Option<Self> {
                match code.trim() {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.as_str(), buf)
            }
        }

        impl sqlx::Decode<'_, sqlx::Postgres> for $name {
            fn decode(
                value: sqlx::postgres::PgValueRef<'_>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let code = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Self::parse(code).ok_or_else(|| {
                    format!("unknown {} code: {code}", stringify!($name)).into()
                })
            }
        }

        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
    };
}

pub(crate) use text_code;

/// The choices of a form field over every variant, the one `raw` names selected.
pub fn choices<T: Copy + PartialEq + 'static>(
    all: &[T],
    raw: &str,
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&v| Choice {
            value: code(v),
            label: label(v),
            selected: code(v) == raw.trim(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    text_code! {
        enum Light { Red = "red", Green = "green" }
    }

    impl Light {
        fn label(self) -> &'static str {
            match self {
                Light::Red => "Đỏ",
                Light::Green => "Xanh",
            }
        }
    }

    #[test]
    fn a_code_round_trips_and_unknown_codes_are_refused() {
        for &l in Light::ALL {
            assert_eq!(Light::parse(l.as_str()), Some(l));
        }
        assert_eq!(Light::parse(" green "), Some(Light::Green));
        assert_eq!(Light::parse("blue"), None);
        assert_eq!(Light::Red.to_string(), "red");
    }

    #[test]
    fn the_submitted_choice_is_selected() {
        let c = super::choices(Light::ALL, "green", Light::as_str, Light::label);
        assert_eq!(c.len(), 2);
        assert!(!c[0].selected && c[1].selected);
        assert_eq!(c[1].label, "Xanh");
        assert!(
            super::choices(Light::ALL, "", Light::as_str, Light::label)
                .iter()
                .all(|c| !c.selected)
        );
    }
}
