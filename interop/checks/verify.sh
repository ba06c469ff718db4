# The README's CI smoke check, against kq broker as a separate process.

# kq verify --semantics at-least-once --messages 20000 holds (exit 0) and
# says so.
check_verify_smoke() {
  need_kq verify
  local rc=0
  run_kq verify --semantics at-least-once --messages 20000 > verify.txt || rc=$?
  cat verify.txt
  [ "$rc" = 0 ] || fail "kq verify exited $rc (3: semantics violated, 4: broker unreachable)"
}
