//! What creating an account refuses, typed; worded here.

use uuid::Uuid;

use super::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRefusal {
    /// 3–50 characters of lower-case ASCII letters, digits, `.`, `_`, `-`.
    UsernameShape,
    /// The password rule (`password::check_new`) refused it.
    Password(&'static str),
    /// Every role but the system administrator's is held at a unit.
    RoleNeedsUnit(Role),
    UsernameTaken(String),
    UnknownUnit(Uuid),
    /// No account has this name (unlocking one).
    NoSuchUser(String),
}

impl crate::error::Refusal for AccountRefusal {
    fn field(&self) -> &'static str {
        match self {
            AccountRefusal::UsernameShape
            | AccountRefusal::UsernameTaken(_)
            | AccountRefusal::NoSuchUser(_) => "username",
            AccountRefusal::Password(_) => "password",
            AccountRefusal::RoleNeedsUnit(_) | AccountRefusal::UnknownUnit(_) => "unit",
        }
    }

    fn message(&self) -> String {
        match self {
            AccountRefusal::UsernameShape => {
                "Tên đăng nhập chỉ gồm 3–50 chữ thường không dấu, số, dấu chấm, gạch nối.".into()
            }
            AccountRefusal::Password(why) => (*why).into(),
            AccountRefusal::RoleNeedsUnit(role) => {
                format!("Vai trò {} cần một đơn vị (--unit).", role.as_str())
            }
            AccountRefusal::UsernameTaken(name) => format!("Tên đăng nhập {name} đã được dùng."),
            AccountRefusal::UnknownUnit(unit) => format!("Không tìm thấy đơn vị {unit}."),
            AccountRefusal::NoSuchUser(name) => format!("Không có tài khoản {name}."),
        }
    }
}

/// The checks that need no database: the username's shape, the password, a unit for every
/// role but the system administrator's. Answers the username as stored (lower case).
pub fn check_new_user(
    username: &str,
    password: &str,
    grants: &[(Role, Option<Uuid>)],
) -> Result<String, AccountRefusal> {
    let username = username.trim().to_lowercase();
    if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        || !(3..=50).contains(&username.len())
    {
        return Err(AccountRefusal::UsernameShape);
    }
    super::password::check_new(password).map_err(AccountRefusal::Password)?;
    if let Some((role, _)) = grants
        .iter()
        .find(|(role, unit)| unit.is_none() && *role != Role::Admin)
    {
        return Err(AccountRefusal::RoleNeedsUnit(*role));
    }
    Ok(username)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn a_new_account_is_checked_before_the_database() {
        assert_eq!(
            check_new_user(" Bithu.Hung ", "mật khẩu dài", &[(Role::Admin, None)]),
            Ok("bithu.hung".into())
        );
        assert_eq!(
            check_new_user("bí thư", "mật khẩu dài", &[]),
            Err(AccountRefusal::UsernameShape)
        );
        assert!(matches!(
            check_new_user("bithu", "ngắn", &[]),
            Err(AccountRefusal::Password(_))
        ));
        let refused = check_new_user("bithu", "mật khẩu dài", &[(Role::Secretary, None)]);
        assert_eq!(refused, Err(AccountRefusal::RoleNeedsUnit(Role::Secretary)));
        assert_eq!(refused.unwrap_err().field(), "unit");
        let unknown = AccountRefusal::NoSuchUser("ai-do".into());
        assert_eq!(
            (unknown.field(), unknown.message().as_str()),
            ("username", "Không có tài khoản ai-do.")
        );
    }
}
