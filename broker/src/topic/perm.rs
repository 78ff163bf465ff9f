//! Permission bits of topics and of the broker (spec/remoting.md §6.1).

pub const PRIORITY: i32 = 8;
pub const READ: i32 = 4;
pub const WRITE: i32 = 2;
/// May serve as the template for auto-created topics.
pub const INHERIT: i32 = 1;

pub fn is_readable(perm: i32) -> bool {
    perm & READ != 0
}

pub fn is_writeable(perm: i32) -> bool {
    perm & WRITE != 0
}

pub fn is_inherited(perm: i32) -> bool {
    perm & INHERIT != 0
}

/// Topic sysFlag bits (`TopicSysFlag.java`).
pub mod sys_flag {
    pub const UNIT: i32 = 0x1;
    pub const UNIT_SUB: i32 = 0x2;

    /// `TopicSysFlag.buildSysFlag(unit, hasUnitSub)`.
    pub fn build(unit: bool, unit_sub: bool) -> i32 {
        (if unit { UNIT } else { 0 }) | (if unit_sub { UNIT_SUB } else { 0 })
    }
}
