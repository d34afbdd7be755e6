//! The PHP API, declared once. Each PHP class is one [`php_class!`] table (in `engine.rs`,
//! `identity.rs`, `sales.rs`, `helpdesk.rs`, `knowledge.rs`: one class per module) listing every method once: its name, its arguments by kind,
//! its return kind, the Rust function it calls and its PHPDoc. The macro generates from it
//! both the `#[php_impl]` wrappers (guard → convert arguments → [`run_call`]) and the class's
//! [`ClassApi`] description, from which the IDE stubs `pet-php/stubs/*.stub.php` are
//! rendered ([`stub_files`]). A test fails when the committed stubs differ from the render;
//! `PET_UPDATE_STUBS=1 cargo test -p pet-php` rewrites them.
//!
//! # The table
//!
//! ```text
//! php_class! {
//!     /// Rust doc of the class.
//!     class Sales = "Pet\\Sales";
//!     stub "pet-sales.stub.php" = r"/** the stub file's header */";
//!
//!     /// PHPDoc of the constructor (every class takes the settings array).
//!     fn __construct(settings: array);
//!     section "Leads";                       // a `// ---- Leads ----` line in the stub
//!     /// One lead. @return array lead       (the stub's doc lines, verbatim)
//!     fn get_lead(leadId: string("lead_id")) -> array;
//!     fn list_leads(query: array = []) -> array;
//!     fn get_lead_schema(number: ?int) -> ?array;
//!     fn run_sla_job(options: array = []) -> array = sla_job;   // calls `sla_job(&app, …)`
//!     static fn test_clock_available() -> bool = test_clock;    // calls `test_clock()`
//! }
//! ```
//!
//! Argument kinds (PHP type, Rust parameter, conversion, what the call receives):
//! - `string("field")`: `string`, `BinarySlice<u8>`, [`string_arg`] (errors name `field`), `&str`;
//! - `?string("field")`: `?string`, the same, optional, `Option<&str>`;
//! - `int` / `?int`: `int` / `?int`, `i64` / `Option<i64>`, passed as is;
//! - `array`: `array`, `&ZendHashTable`, [`array_to_json_object`] (root = the parameter's
//!   name), `&Value`;
//! - `array = []`: the same, optional ([`ArrayArg::Empty`] when omitted, `{}`);
//! - `context`: `array`, `&ZendHashTable`, [`context`], `&CommandContext`.
//!
//! Return kinds: `array` (the call's JSON as a PHP array) and `?array` (JSON null → PHP null).
//! A method calls `Service::from(&app).<its Rust name>(converted arguments…)` — `Service`
//! being the type alias the class's file declares for its module's application service
//! (`pet_storage_mysql::Helpdesk` for `Pet\Helpdesk`, `&App` for `Pet\Engine`) — unless
//! `= function` names a function of the class's module taking `&App` and the same parameters. PHP parameter names are
//! the Rust identifiers (hence camelCase); PHP method names are the Rust names in camelCase.
//! A trailing run of nullable or defaulted parameters is optional, as ext-php-rs makes it.
//!
//! [`string_arg`]: crate::convert::string_arg
//! [`array_to_json_object`]: crate::convert::array_to_json_object
//! [`ArrayArg::Empty`]: crate::convert::ArrayArg::Empty

use std::{
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
};

use ext_php_rs::{boxed::ZBox, prelude::*, types::ZendHashTable};
use serde_json::Value;

use crate::backend::{App, AppError, CommandContext};
use crate::convert::{array_to_json_object, json_to_table};
use crate::exceptions::{self, PetError};
use crate::{
    runtime, Accounting, Delivery, Engine, Helpdesk, Identity, Knowledge, Kpi, Mail, Portal, Sales,
};

// ---- what every generated wrapper calls ----------------------------------------------------

/// Runs `body` with panics caught and errors converted to the matching PHP exception.
pub(crate) fn guard<T>(body: impl FnOnce() -> Result<T, PetError>) -> PhpResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result.map_err(PhpException::from),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(PetError::Internal(what).into())
        }
    }
}

/// Converts a command's context array (`actor_id`, `idempotency_key`, `manages_time`).
pub(crate) fn context(ctx: &ZendHashTable) -> Result<CommandContext, PetError> {
    let value = array_to_json_object(ctx, "context")?;
    Ok(CommandContext::from_json(&value)?)
}

/// The shared `App` for a constructor's settings array (`root` names it in errors).
pub(crate) fn app_for(settings: &ZendHashTable, root: &str) -> Result<App, PetError> {
    runtime::app_for(&array_to_json_object(settings, root)?)
}

/// What a method returns to PHP, built from the application's JSON result.
pub(crate) trait FromJson: Sized {
    /// Converts the call's result.
    fn from_json(value: &Value) -> Result<Self, PetError>;
}

/// `array`: the JSON as a PHP array.
impl FromJson for ZBox<ZendHashTable> {
    fn from_json(value: &Value) -> Result<Self, PetError> {
        json_to_table(value)
    }
}

/// `?array`: JSON null is PHP null, anything else a PHP array.
impl FromJson for Option<ZBox<ZendHashTable>> {
    fn from_json(value: &Value) -> Result<Self, PetError> {
        if value.is_null() {
            Ok(None)
        } else {
            json_to_table(value).map(Some)
        }
    }
}

/// Runs one application call on the process runtime and converts its JSON result.
pub(crate) fn run_call<R, F, Fut>(app: &App, call: F) -> Result<R, PetError>
where
    R: FromJson,
    F: FnOnce(App) -> Fut,
    Fut: Future<Output = Result<Value, AppError>>,
{
    let value = runtime::block_on(call(app.clone()))??;
    R::from_json(&value)
}

// ---- the declaration macro -------------------------------------------------------------------

/// Declares one PHP class: its struct, its `#[php_impl]` wrappers and its `API` description
/// (see the module documentation for the table's format).
///
/// Implementation: a token muncher. `@item` reads one table entry at a time and appends the
/// generated method to one accumulator and its description to another; `@args` reads one
/// argument at a time. The last step emits the whole `#[php_impl] impl` block at once,
/// because ext-php-rs reads the methods from that block as written (one block per class,
/// and no macro calls in it). Doc strings, the class name and field names are matched as
/// `tt` so that they reach the ext-php-rs attribute macros as plain literals.
macro_rules! php_class {
    (
        $(#[doc = $cdoc:tt])*
        class $class:ident = $php:tt;
        stub $file:tt = $header:expr;
        $($items:tt)*
    ) => {
        $(#[doc = $cdoc])*
        #[::ext_php_rs::prelude::php_class]
        #[php(name = $php)]
        #[php(flags = ::ext_php_rs::flags::ClassFlags::Final)]
        pub struct $class {
            app: crate::backend::App,
        }

        $crate::api::php_class!(@item [$class $php $file $header] [] [] $($items)*);
    };

    // ---- one table entry -------------------------------------------------------------------

    // No entry left: the wrappers, and the description the stub is rendered from.
    (@item [$class:ident $php:tt $file:tt $header:expr] [$($m:tt)*] [$($s:tt)*]) => {
        // Every entry's PHPDoc is its Rust doc, and an entry may have none.
        #[::ext_php_rs::prelude::php_impl]
        #[php(change_method_case = "camelCase")]
        #[allow(missing_docs)]
        impl $class {
            $($m)*
        }

        impl $class {
            /// This class's declaration as data: what its IDE stub is rendered from.
            pub const API: $crate::api::ClassApi = $crate::api::ClassApi {
                php_name: $php,
                stub_file: $file,
                stub_header: $header,
                items: &[$($s)*],
            };
        }
    };

    (@item $cls:tt $m:tt [$($s:tt)*] section $title:tt; $($rest:tt)*) => {
        $crate::api::php_class!(@item $cls $m
            [$($s)* $crate::api::Item::Section($title),] $($rest)*);
    };

    // The constructor: settings array → the shared `App`.
    (@item $cls:tt [$($m:tt)*] [$($s:tt)*]
        $(#[doc = $d:tt])* fn __construct($arg:ident: array); $($rest:tt)*
    ) => {
        $crate::api::php_class!(@item $cls
            [$($m)*
                $(#[doc = $d])*
                pub fn __construct(
                    $arg: &::ext_php_rs::types::ZendHashTable,
                ) -> ::ext_php_rs::prelude::PhpResult<Self> {
                    crate::api::guard(|| {
                        Ok(Self {
                            app: crate::api::app_for($arg, stringify!($arg))?,
                        })
                    })
                }
            ]
            [$($s)* $crate::api::Item::Method($crate::api::Method {
                name: "__construct",
                is_static: false,
                docs: &[$($d),*],
                params: &[$crate::api::Param {
                    name: stringify!($arg), ty: "array", default: None,
                }],
                returns: None,
            }),]
            $($rest)*);
    };

    // Static methods: a plain Rust function, no database, nothing that can fail.
    (@item $cls:tt $m:tt $s:tt
        $(#[doc = $d:tt])* static fn $name:ident() -> string = $call:ident; $($rest:tt)*
    ) => {
        $crate::api::php_class!(@static $cls $m $s [$($d)*] $name [String] "string" $call
            [$($rest)*]);
    };
    (@item $cls:tt $m:tt $s:tt
        $(#[doc = $d:tt])* static fn $name:ident() -> bool = $call:ident; $($rest:tt)*
    ) => {
        $crate::api::php_class!(@static $cls $m $s [$($d)*] $name [bool] "bool" $call [$($rest)*]);
    };
    (@item $cls:tt $m:tt $s:tt
        $(#[doc = $d:tt])* static fn $name:ident() -> int = $call:ident; $($rest:tt)*
    ) => {
        $crate::api::php_class!(@static $cls $m $s [$($d)*] $name [i64] "int" $call [$($rest)*]);
    };
    (@static $cls:tt [$($m:tt)*] [$($s:tt)*]
        [$($d:tt)*] $name:ident [$($rty:tt)*] $ret:tt $call:ident [$($rest:tt)*]
    ) => {
        $crate::api::php_class!(@item $cls
            [$($m)*
                $(#[doc = $d])*
                pub fn $name() -> $($rty)* {
                    $call()
                }
            ]
            [$($s)* $crate::api::Item::Method($crate::api::Method {
                name: stringify!($name),
                is_static: true,
                docs: &[$($d),*],
                params: &[],
                returns: Some($ret),
            }),]
            $($rest)*);
    };

    // Application calls: `-> array` or `-> ?array`, optionally `= function`.
    (@item $cls:tt $m:tt $s:tt
        $(#[doc = $d:tt])* fn $name:ident($($args:tt)*) -> array $(= $call:ident)?; $($rest:tt)*
    ) => {
        $crate::api::php_class!(@args
            [$cls $m $s $name [$($d)*]
                [::ext_php_rs::boxed::ZBox<::ext_php_rs::types::ZendHashTable>]
                "array" [$($call)?] [$($rest)*]]
            [[] [] [] [] []] ($($args)*));
    };
    (@item $cls:tt $m:tt $s:tt
        $(#[doc = $d:tt])* fn $name:ident($($args:tt)*) -> ?array $(= $call:ident)?; $($rest:tt)*
    ) => {
        $crate::api::php_class!(@args
            [$cls $m $s $name [$($d)*]
                [::std::option::Option<
                    ::ext_php_rs::boxed::ZBox<::ext_php_rs::types::ZendHashTable>>]
                "?array" [$($call)?] [$($rest)*]]
            [[] [] [] [] []] ($($args)*));
    };

    (@item $cls:tt $m:tt $s:tt $($unreadable:tt)+) => {
        compile_error!(concat!(
            "php_class!: cannot read the entry starting at: ",
            stringify!($($unreadable)+)
        ));
    };

    // ---- one argument --------------------------------------------------------------------
    // Each kind gives: [parameter type] [conversion] [what the call receives] [attribute]
    // [PHP type, PHP default]; `@push` appends them to the method's accumulators.

    (@args $ctx:tt $acc:tt ($arg:ident: string($field:tt) $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [::ext_php_rs::binary_slice::BinarySlice<'_, u8>]
            [let $arg = crate::convert::string_arg($field, &$arg)?;] [&$arg] [] ["string" None]);
    };
    (@args $ctx:tt $acc:tt ($arg:ident: ?string($field:tt) $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [::std::option::Option<::ext_php_rs::binary_slice::BinarySlice<'_, u8>>]
            [let $arg = $arg.as_ref().map(|s| crate::convert::string_arg($field, s)).transpose()?;]
            [$arg.as_deref()] [] ["?string" None]);
    };
    (@args $ctx:tt $acc:tt ($arg:ident: int $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [i64] [] [$arg] [] ["int" None]);
    };
    (@args $ctx:tt $acc:tt ($arg:ident: ?int $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [::std::option::Option<i64>] [] [$arg] [] ["?int" None]);
    };
    (@args $ctx:tt $acc:tt ($arg:ident: array = [] $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [crate::convert::ArrayArg<'_>] [let $arg = $arg.to_json(stringify!($arg))?;] [&$arg]
            [#[php(defaults($arg = crate::convert::ArrayArg::Empty))]] ["array" Some("[]")]);
    };
    (@args $ctx:tt $acc:tt ($arg:ident: array $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [&::ext_php_rs::types::ZendHashTable]
            [let $arg = crate::convert::array_to_json_object($arg, stringify!($arg))?;] [&$arg]
            [] ["array" None]);
    };
    (@args $ctx:tt $acc:tt ($arg:ident: context $(, $($rest:tt)*)?)) => {
        $crate::api::php_class!(@push $ctx $acc $arg ($($($rest)*)?)
            [&::ext_php_rs::types::ZendHashTable] [let $arg = crate::api::context($arg)?;] [&$arg]
            [] ["array" None]);
    };
    (@push $ctx:tt [[$($p:tt)*] [$($c:tt)*] [$($x:tt)*] [$($a:tt)*] [$($sp:tt)*]]
        $arg:ident $rest:tt
        [$($ty:tt)*] [$($conv:tt)*] [$($pass:tt)*] [$($attr:tt)*] [$php_ty:tt $default:expr]
    ) => {
        $crate::api::php_class!(@args $ctx
            [[$($p)* $arg: $($ty)*,] [$($c)* $($conv)*] [$($x)* $($pass)*,] [$($a)* $($attr)*]
                [$($sp)* $crate::api::Param {
                    name: stringify!($arg), ty: $php_ty, default: $default,
                },]]
            $rest);
    };

    // Every argument read: emit the method.
    (@args
        [$cls:tt [$($m:tt)*] [$($s:tt)*] $name:ident [$($d:tt)*] [$($rty:tt)*] $ret:tt
            [$($call:ident)?] [$($rest:tt)*]]
        [[$($p:tt)*] [$($c:tt)*] [$($x:tt)*] [$($a:tt)*] [$($sp:tt)*]] ()
    ) => {
        $crate::api::php_class!(@item $cls
            [$($m)*
                $(#[doc = $d])*
                $($a)*
                pub fn $name(&self, $($p)*) -> ::ext_php_rs::prelude::PhpResult<$($rty)*> {
                    crate::api::guard(|| {
                        $($c)*
                        crate::api::run_call(&self.app, |app| async move {
                            $crate::api::php_class!(@call $name [$($call)?] app ($($x)*)).await
                        })
                    })
                }
            ]
            [$($s)* $crate::api::Item::Method($crate::api::Method {
                name: stringify!($name),
                is_static: false,
                docs: &[$($d),*],
                params: &[$($sp)*],
                returns: Some($ret),
            }),]
            $($rest)*);
    };
    (@args $ctx:tt $acc:tt ($($unreadable:tt)*)) => {
        compile_error!(concat!(
            "php_class!: cannot read the argument at: ",
            stringify!($($unreadable)*)
        ));
    };

    // What a method calls: the method of the same name of the class's module service (the
    // `Service` type the class's file names: `app.helpdesk()` for `Pet\\Helpdesk`, the `App`
    // itself for `Pet\\Engine`), unless a function is named.
    (@call $name:ident [] $app:ident ($($x:tt)*)) => { Service::from(&$app).$name($($x)*) };
    (@call $name:ident [$call:ident] $app:ident ($($x:tt)*)) => { $call(&$app, $($x)*) };
}
pub(crate) use php_class;

// ---- the declaration as data, and the stubs rendered from it ---------------------------------

/// One PHP class as declared by its [`php_class!`] table.
#[derive(Debug)]
pub struct ClassApi {
    /// Fully qualified PHP name (`Pet\Sales`).
    pub php_name: &'static str,
    /// File name of its stub under `pet-php/stubs/`.
    pub stub_file: &'static str,
    /// The stub file's header docblock.
    pub stub_header: &'static str,
    /// Methods and section headings in declaration (and stub) order.
    pub items: &'static [Item],
}

/// An entry of a class's table.
#[derive(Debug)]
pub enum Item {
    /// A `// ---- title ----` line between groups of methods.
    Section(&'static str),
    /// A method.
    Method(Method),
}

/// A method as declared.
#[derive(Debug)]
pub struct Method {
    /// Rust name (snake_case); PHP's is its camelCase form.
    pub name: &'static str,
    /// `public static function`.
    pub is_static: bool,
    /// PHPDoc lines, as Rust doc strings (each starts with the space after `///`).
    pub docs: &'static [&'static str],
    /// Parameters in order.
    pub params: &'static [Param],
    /// PHP return type; `None` for the constructor.
    pub returns: Option<&'static str>,
}

/// A method parameter as declared.
#[derive(Debug)]
pub struct Param {
    /// PHP name (without `$`).
    pub name: &'static str,
    /// PHP type (`?` prefix when nullable).
    pub ty: &'static str,
    /// PHP default value, if declared.
    pub default: Option<&'static str>,
}

/// Width of a section line in the stubs.
const SECTION_WIDTH: usize = 88;

/// The PHP name of a Rust method name, as ext-php-rs's `camelCase` rule makes it.
pub fn php_method_name(rust: &str) -> String {
    if rust.starts_with("__") {
        return rust.to_owned();
    }
    let mut out = String::with_capacity(rust.len());
    for (i, word) in rust.split('_').filter(|w| !w.is_empty()).enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(&chars.as_str().to_lowercase());
        }
    }
    out
}

impl Method {
    /// The method's stub: its PHPDoc (if any) and its signature, indented for a class body.
    fn render(&self) -> String {
        let omittable: Vec<bool> = self
            .params
            .iter()
            .map(|p| p.ty.starts_with('?') || p.default.is_some())
            .collect();
        let params: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                // ext-php-rs: a parameter is optional when it and every later one may be omitted.
                if omittable[i..].iter().all(|o| *o) {
                    format!("{} ${} = {}", p.ty, p.name, p.default.unwrap_or("null"))
                } else {
                    format!("{} ${}", p.ty, p.name)
                }
            })
            .collect();
        let signature = format!(
            "    public {}function {}({}){} {{}}",
            if self.is_static { "static " } else { "" },
            php_method_name(self.name),
            params.join(", "),
            self.returns.map(|r| format!(": {r}")).unwrap_or_default(),
        );
        match self.docs {
            [] => signature,
            [one] => format!("    /**{one} */\n{signature}"),
            lines => {
                let mut out = String::from("    /**\n");
                for line in lines {
                    out.push_str("     *");
                    out.push_str(line);
                    out.push('\n');
                }
                out.push_str("     */\n");
                out.push_str(&signature);
                out
            }
        }
    }
}

impl ClassApi {
    /// The stub file's text: header, namespace, `prelude` (other declarations of the file),
    /// then the class with its sections and methods.
    pub fn render_stub(&self, prelude: &str) -> String {
        let (namespace, short) = self
            .php_name
            .rsplit_once('\\')
            .unwrap_or(("", self.php_name));
        let body: Vec<String> = self
            .items
            .iter()
            .map(|item| match item {
                Item::Section(title) => {
                    let head = format!("    // ---- {title} ");
                    let dashes = SECTION_WIDTH.saturating_sub(head.chars().count()).max(4);
                    format!("{head}{}", "-".repeat(dashes))
                }
                Item::Method(method) => method.render(),
            })
            .collect();
        format!(
            "<?php\n{}\n\nnamespace {namespace};\n\n{prelude}final class {short}\n{{\n{}\n}}\n",
            self.stub_header,
            body.join("\n\n"),
        )
    }
}

/// Every stub file (name under `pet-php/stubs/`, content), rendered from the declarations.
/// `pet.stub.php` also declares the exception classes.
pub fn stub_files() -> Vec<(&'static str, String)> {
    [
        (&Engine::API, exceptions::stub()),
        (&Identity::API, String::new()),
        (&Sales::API, String::new()),
        (&Helpdesk::API, String::new()),
        (&Knowledge::API, String::new()),
        (&Delivery::API, String::new()),
        (&Kpi::API, String::new()),
        (&Portal::API, String::new()),
        (&Accounting::API, String::new()),
        (&Mail::API, String::new()),
    ]
    .into_iter()
    .map(|(api, prelude)| (api.stub_file, api.render_stub(&prelude)))
    .collect()
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeSet, path::Path};

    use super::*;

    #[test]
    fn php_names_are_camel_case() {
        assert_eq!(
            php_method_name("list_org_structure_versions"),
            "listOrgStructureVersions"
        );
        assert_eq!(php_method_name("health"), "health");
        assert_eq!(php_method_name("__construct"), "__construct");
    }

    #[test]
    fn trailing_nullable_and_defaulted_parameters_are_optional() {
        let method = Method {
            name: "get_thing",
            is_static: false,
            docs: &[" One thing."],
            params: &[
                Param {
                    name: "id",
                    ty: "?string",
                    default: None,
                },
                Param {
                    name: "context",
                    ty: "array",
                    default: None,
                },
                Param {
                    name: "number",
                    ty: "?int",
                    default: None,
                },
                Param {
                    name: "query",
                    ty: "array",
                    default: Some("[]"),
                },
            ],
            returns: Some("?array"),
        };
        assert_eq!(
            method.render(),
            "    /** One thing. */\n    public function getThing(?string $id, array $context, \
             ?int $number = null, array $query = []): ?array {}"
        );
    }

    /// The committed stubs are exactly what the declarations render.
    #[test]
    fn committed_stubs_match_the_declarations() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("stubs");
        let update = std::env::var_os("PET_UPDATE_STUBS").is_some_and(|v| v == "1");
        let files = stub_files();
        let mut stale = Vec::new();
        for (name, rendered) in &files {
            let path = dir.join(name);
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if committed == *rendered {
                continue;
            }
            if update {
                if let Err(e) = std::fs::write(&path, rendered) {
                    panic!("cannot write {}: {e}", path.display());
                }
            } else {
                let line = committed
                    .lines()
                    .zip(rendered.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()));
                stale.push(format!(
                    "{name} differs from its declaration from line {}:\n  \
                     committed: {:?}\n  declared:  {:?}",
                    line + 1,
                    committed.lines().nth(line).unwrap_or("(end of file)"),
                    rendered.lines().nth(line).unwrap_or("(end of file)"),
                ));
            }
        }
        let generated: BTreeSet<&str> = files.iter().map(|(name, _)| *name).collect();
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".stub.php"))
                    .collect()
            })
            .unwrap_or_default();
        for extra in on_disk.iter().filter(|n| !generated.contains(n.as_str())) {
            stale.push(format!(
                "{extra} is not generated from any declaration: delete it"
            ));
        }
        assert!(
            stale.is_empty(),
            "pet-php/stubs/*.stub.php are generated from the php_class! tables; regenerate \
             them with `PET_UPDATE_STUBS=1 cargo test -p pet-php` and commit the result.\n{}",
            stale.join("\n")
        );
    }
}
