use super::*;
use crate::auth::{HashCost, hash_password_with};

fn user(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

fn parse_err(text: &str) -> (usize, LineProblem, String) {
    let err = PasswdFile::parse(text, "users.test").unwrap_err();
    let shown = err.to_string();
    match err {
        LoadError::Line { line, problem, .. } => (line, problem, shown),
        other => panic!("not a line error: {other:?}"),
    }
}

#[test]
fn reads_users_skipping_comments_blanks_and_extra_fields() {
    let text = "# users for pop3d\n\
                \n\
                alice:{PLAIN}wonderland:1000:1000::/home/alice::userdb_mail=maildir:~/Mail\n\
                \t  \n\
                   # indented comment\n\
                bob@example.org:{PLAIN}builder\r\n\
                carol:{PLAIN}x:::\n";
    let file = PasswdFile::parse(text, "users.test").unwrap();
    assert_eq!(file.len(), 3);
    assert!(!file.is_empty());
    assert_eq!(file.origin(), "users.test");
    let alice = file.get(&user("alice")).unwrap();
    assert_eq!(alice.line(), 3);
    assert!(alice.password().unwrap().verify(b"wonderland"));
    let bob = file.get(&user("bob@example.org")).unwrap();
    assert_eq!(bob.line(), 6);
    assert!(
        bob.password().unwrap().verify(b"builder"),
        "CR is not part of it"
    );
    assert!(
        file.get(&user("carol"))
            .unwrap()
            .password()
            .unwrap()
            .verify(b"x")
    );
    assert!(
        file.get(&user("Alice")).is_none(),
        "names are case-sensitive"
    );
    assert!(file.get(&user("dave")).is_none());
}

#[test]
fn empty_password_and_lock_marks_are_accounts_that_cannot_log_in() {
    let file = PasswdFile::parse("a:\nb:!$6$x$y:1:1\nc:*\n", "t").unwrap();
    for name in ["a", "b", "c"] {
        assert!(
            file.get(&user(name)).unwrap().password().is_none(),
            "{name}"
        );
    }
}

#[test]
fn errors_name_the_file_and_line() {
    let (line, problem, shown) = parse_err("alice:{PLAIN}a\n\n# c\nbob:{NOPE}secret\n");
    assert_eq!(line, 4);
    assert!(matches!(problem, LineProblem::Password(_)));
    assert!(shown.starts_with("users.test:4: "), "{shown}");
    assert!(
        shown.contains("NOPE") && !shown.contains("secret"),
        "{shown}"
    );
}

#[test]
fn errors_never_show_the_secret() {
    for text in [
        "alice:{SHA512-CRYPT}$6$hunter2hunter2$tooshort\n",
        "alice:{SCRAM-SHA-256}4096,hunter2,hunter2,hunter2\n",
        "alice:hunter2hunter2\n",
        "alice:{ARGON2ID}hunter2hunter2\n",
        "alice:{BLF-CRYPT}$2y$10$hunter2hunter2\n",
    ] {
        let (line, _, shown) = parse_err(text);
        assert_eq!(line, 1);
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn a_line_without_a_password_field_is_refused() {
    let (line, problem, _) = parse_err("alice:{PLAIN}a\nbob\n");
    assert_eq!(line, 2);
    assert_eq!(problem, LineProblem::MissingPasswordField);
}

#[test]
fn duplicates_are_refused_with_both_lines() {
    let (line, problem, shown) = parse_err("alice:{PLAIN}a\nbob:{PLAIN}b\nalice:{PLAIN}c\n");
    assert_eq!(line, 3);
    assert_eq!(
        problem,
        LineProblem::Duplicate {
            user: "alice".into(),
            first_line: 1
        }
    );
    assert!(shown.contains("line 1"), "{shown}");
}

#[test]
fn unsafe_or_invalid_names_are_refused() {
    for name in ["../etc", "a/b", "a\\b", ".hidden", "a..b", "%u", "x%d"] {
        let (line, problem, _) = parse_err(&format!("ok:{{PLAIN}}a\n{name}:{{PLAIN}}b\n"));
        assert_eq!((line, problem), (2, LineProblem::UnsafeUsername), "{name}");
    }
    for name in ["", "a\u{1}b", "trailing "] {
        let (line, problem, _) = parse_err(&format!("{name}:{{PLAIN}}b\n"));
        assert_eq!(line, 1, "{name:?}");
        assert!(
            matches!(problem, LineProblem::InvalidUsername(_)),
            "{name:?}"
        );
    }
    let long = "x".repeat(256);
    let (_, problem, _) = parse_err(&format!("{long}:{{PLAIN}}b\n"));
    assert!(matches!(problem, LineProblem::InvalidUsername(_)));
}

#[test]
fn load_reads_a_file_and_reports_io_and_utf8_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users");
    std::fs::write(&path, "alice:{PLAIN}a\n").unwrap();
    let file = PasswdFile::load(&path).unwrap();
    assert_eq!(file.origin(), path.display().to_string());
    assert!(file.get(&user("alice")).is_some());

    std::fs::write(&path, b"alice:{PLAIN}a\nbob:{PLAIN}\xff\xfe\n").unwrap();
    let err = PasswdFile::load(&path).unwrap_err();
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().contains("UTF-8"), "{err}");

    let missing = dir.path().join("nope");
    let err = PasswdFile::load(&missing).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
    assert_eq!(err.line(), None);
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn hash_password_output_round_trips_through_the_file() {
    let cost = HashCost {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        argon2_parallelism: 1,
        bcrypt_cost: 4,
        sha_crypt_rounds: 1000,
        scram_iterations: 4096,
    };
    let mut text = String::new();
    for (i, scheme) in Scheme::ALL.iter().enumerate() {
        let value = hash_password_with(*scheme, b"s3cret pw", &cost).unwrap();
        text.push_str(&format!("user{i}:{value}:1000:1000::/home/user{i}::\n"));
    }
    let file = PasswdFile::parse(&text, "generated").unwrap();
    for (i, scheme) in Scheme::ALL.iter().enumerate() {
        let p = file
            .get(&user(&format!("user{i}")))
            .unwrap()
            .password()
            .unwrap();
        assert_eq!(p.scheme(), *scheme);
        assert!(p.verify(b"s3cret pw"), "{scheme}");
        assert!(!p.verify(b"s3cret pW"), "{scheme}");
    }
}

#[test]
fn the_decoy_is_the_first_entry_of_the_most_common_scheme() {
    let scram = "4096,c2FsdHNhbHRzYWx0c2FsdA==,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let text = format!(
        "p:{{PLAIN}}a\ns1:{{SCRAM-SHA-256}}{scram}\ns2:{{SCRAM-SHA-256}}{scram}\nq:{{PLAIN}}b\nr:{{PLAIN}}c\n"
    );
    let file = PasswdFile::parse(&text, "t").unwrap();
    let decoy = file.decoy().unwrap();
    assert_eq!(decoy.scheme(), Scheme::Plain);
    assert_eq!(decoy.plaintext(), Some(&b"a"[..]));

    let file = PasswdFile::parse("x:\n", "t").unwrap();
    assert!(file.decoy().is_none(), "no usable password, no decoy");
    assert!(PasswdFile::parse("", "t").unwrap().is_empty());
}

/// Unknown users must show the iteration count most real users show.
#[test]
fn the_usual_scram_iteration_count_is_the_most_common_one() {
    let scram = |n: u32| {
        format!(
            "{n},c2FsdHNhbHRzYWx0c2FsdA==,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        )
    };
    let file = |text: &str| PasswdFile::parse(text, "t").unwrap();
    let mostly_scram = format!(
        "a:{{SCRAM-SHA-256}}{}\nb:{{SCRAM-SHA-256}}{}\nc:{{PLAIN}}x\nd:\n",
        scram(10_000),
        scram(10_000)
    );
    assert_eq!(file(&mostly_scram).usual_scram_iterations(), 10_000);
    let mostly_plain = format!(
        "a:{{SCRAM-SHA-256}}{}\nc:{{PLAIN}}x\ne:{{PLAIN}}y\n",
        scram(10_000)
    );
    assert_eq!(
        file(&mostly_plain).usual_scram_iterations(),
        PLAIN_SCRAM_ITERATIONS
    );
    let tie = format!(
        "a:{{SCRAM-SHA-256}}{}\nb:{{SCRAM-SHA-256}}{}\n",
        scram(20_000),
        scram(8_192)
    );
    assert_eq!(file(&tie).usual_scram_iterations(), 8_192);
    assert_eq!(file("").usual_scram_iterations(), PLAIN_SCRAM_ITERATIONS);
}

#[test]
fn debug_does_not_list_users_or_secrets() {
    let file = PasswdFile::parse("alice:{PLAIN}hunter2\n", "t").unwrap();
    let shown = format!("{file:?}");
    assert!(shown.contains("users: 1"), "{shown}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("alice"),
        "{shown}"
    );
}
