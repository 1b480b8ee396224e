//! Key folders shared by several key stores or processes (an app and its extension): keys made
//! at once end as one pair, a server key never loads beside a client key it was not made from,
//! and leftovers of a crashed writer break nothing.

use super::disk::{FolderLock, LOCK_FILE, PAIR_FILE};
use super::folder::{CLIENT_FILE, SERVER_FILE};
use super::*;
use std::fs;
use std::path::Path;
use std::sync::Barrier;
use std::thread;

/// A client key and the server key made from it (seconds to make): once per test binary.
fn made_pair() -> &'static Keys {
    static PAIR: OnceLock<Keys> = OnceLock::new();
    PAIR.get_or_init(|| {
        let keys = Keys::generate();
        keys.server_key().expect("server key");
        keys
    })
}

/// `f(i)` in threads `i` in `0..n`, let go at once.
fn at_once<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let start = Barrier::new(n);
    thread::scope(|s| {
        let threads: Vec<_> = (0..n)
            .map(|i| {
                let (start, f) = (&start, &f);
                s.spawn(move || {
                    start.wait();
                    f(i)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("thread")).collect()
    })
}

fn client_bytes(keys: &Keys) -> Vec<u8> {
    keys.client_key_bytes().expect("bytes").to_vec()
}

fn server_id(keys: &Keys) -> Option<KeyId> {
    keys.existing_server_key().map(|k| k.id.clone())
}

#[test]
fn key_stores_creating_keys_in_one_empty_folder_at_once_all_hold_the_folders_key() {
    for round in 0..8 {
        let home = tempfile::tempdir().expect("tempdir");
        let dir = home.path().join("keys");
        let stores = at_once(3, |_| load_or_generate(&dir).expect("keys").0);
        let on_disk = fs::read(dir.join(CLIENT_FILE)).expect("read");
        for (i, keys) in stores.iter().enumerate() {
            assert!(
                client_bytes(keys) == on_disk,
                "round {round}: key store {i} holds a client key the folder does not"
            );
        }
        assert!(client_bytes(&load(&dir).expect("load")) == on_disk, "round {round}");
    }
}

#[test]
fn key_stores_making_the_server_key_of_one_folder_at_once_end_with_one_pair() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("keys");
    let stores: Vec<Keys> = (0..2).map(|_| load_or_generate(&dir).expect("keys").0).collect();
    let ids = at_once(2, |i| stores[i].server_key().expect("server key").id.clone());
    let loaded = load(&dir).expect("load");
    assert_eq!(server_id(&loaded).as_ref(), Some(&ids[0]), "the folder's server key is not the first store's");
    assert_eq!(ids[0], ids[1], "two server keys were made for one client key: one store's is not the folder's");
    assert!(client_bytes(&loaded) == client_bytes(&stores[0]));
}

/// Save the shared pair into a new folder `name` under `home`.
fn folder_with_the_pair(home: &Path, name: &str) -> std::path::PathBuf {
    let dir = home.join(name);
    let made = made_pair().current();
    let server = made.existing_server_key().expect("made");
    let keys = Keys::from_bytes(&made.client_key_bytes().expect("bytes"), Some(&server.bytes)).expect("keys");
    save(&dir, &keys).expect("save");
    dir
}

#[test]
fn a_server_key_from_another_folder_never_loads_beside_this_client_key() {
    let home = tempfile::tempdir().expect("tempdir");
    let b = folder_with_the_pair(home.path(), "b");
    let b_id = server_id(made_pair());
    assert_eq!(server_id(&load(&b).expect("load b")), b_id, "a folder's own pair loads");
    // Folder A: its own client key, then B's server key written over its files, with and
    // without B's record of it (as a race between two writers, or a copy, would leave it).
    for with_record in [true, false] {
        let a = home.path().join(format!("a-{with_record}"));
        let (a_keys, _) = load_or_generate(&a).expect("a");
        fs::copy(b.join(SERVER_FILE), a.join(SERVER_FILE)).expect("copy");
        if with_record && b.join(PAIR_FILE).exists() {
            fs::copy(b.join(PAIR_FILE), a.join(PAIR_FILE)).expect("copy");
        }
        let loaded = load(&a).expect("A's client key still loads");
        assert!(client_bytes(&loaded) == client_bytes(&a_keys));
        assert_eq!(server_id(&loaded), None, "record copied: {with_record}: B's server key loaded with A's client key");
        assert!(!a.join(SERVER_FILE).exists(), "the foreign server key is still in A");
    }
    // A server key left beside a client key that replaced its own (a crash between the two
    // writes, or another process's replacement) is not loaded either.
    let c = folder_with_the_pair(home.path(), "c");
    fs::write(c.join(CLIENT_FILE), Keys::generate().client_key_bytes().expect("bytes")).expect("write");
    assert_eq!(server_id(&load(&c).expect("load c")), None, "a server key loaded beside another client key");
}

#[test]
fn leftover_temp_files_of_a_crashed_writer_neither_break_a_save_nor_stay() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("keys");
    fs::create_dir(&dir).expect("mkdir");
    // What writers that crashed mid-write leave behind, under names a writer in this very
    // process could pick (a reused process id): half-written temp files of every key file.
    let pid = std::process::id();
    for name in [CLIENT_FILE, SERVER_FILE, "pair"] {
        for n in 0..256 {
            fs::write(dir.join(format!(".{name}.{pid}.{n}.tmp")), b"half a key").expect("write");
        }
    }
    let (keys, generated) = load_or_generate(&dir).expect("a leftover temp file must not stop a save");
    assert!(generated);
    assert!(fs::read(dir.join(CLIENT_FILE)).expect("read") == client_bytes(&keys));
    save(&dir, &keys).expect("saved again");
    let left: Vec<String> = fs::read_dir(&dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{} temp files left, e.g. {:?}", left.len(), left.first());
}

#[test]
fn the_folder_lock_keeps_out_a_second_holder_in_the_same_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let held = FolderLock::acquire(dir.path()).expect("lock");
    // Another handle on the lock file, as a second key store in this process opens it.
    let other = fs::File::open(dir.path().join(LOCK_FILE)).expect("open");
    assert!(matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)), "a second handle took a held lock");
    drop(held);
    other.try_lock().expect("free once the holder is gone");
}

/// Where the child process of the next test holds the lock.
const CHILD_DIR: &str = "QRVEIL_TEST_LOCKED_KEY_FOLDER";

#[test]
#[ignore = "the child process of the_folder_lock_keeps_out_another_process"]
fn hold_a_folders_lock_until_stdin_closes() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else { return };
    let _held = FolderLock::acquire(Path::new(&dir)).expect("lock");
    println!("held");
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new()).ok();
}

#[test]
fn the_folder_lock_keeps_out_another_process() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["keys::races::hold_a_folders_lock_until_stdin_closes", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_DIR, dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines().map_while(Result::ok);
    assert!(stdout.any(|line| line == "held"), "the child never took the lock");
    let mine = fs::File::open(dir.path().join(LOCK_FILE)).expect("open");
    assert!(matches!(mine.try_lock(), Err(fs::TryLockError::WouldBlock)), "took a lock another process holds");
    drop(child.stdin.take());
    // Read to its end: the child still reports its test.
    let rest: Vec<String> = stdout.collect();
    assert!(child.wait().expect("wait").success(), "the child failed: {rest:?}");
    mine.try_lock().expect("free once the other process is gone");
}
