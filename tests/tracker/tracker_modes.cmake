# Detection modes, fixed at start-up by ALIASGUARD_OPTIONS: tracker_probe runs one scenario
# per test under one set of options and prints what it saw (see tracker_probe.cpp).
add_executable(aliasguard_tracker_probe ${CMAKE_CURRENT_LIST_DIR}/tracker_probe.cpp)
target_link_libraries(aliasguard_tracker_probe PRIVATE aliasguard::tracker)
aliasguard_set_warnings(aliasguard_tracker_probe)

function(aliasguard_tracker_mode_test name scenario options expected)
  add_test(NAME tracker_modes.${name} COMMAND aliasguard_tracker_probe ${scenario})
  set_tests_properties(tracker_modes.${name} PROPERTIES
    ENVIRONMENT "ALIASGUARD_OPTIONS=${options}"
    PASS_REGULAR_EXPRESSION "${expected}"
    LABELS tracker TIMEOUT 60)
endfunction()

# Lazy (default) against eager: a snapshot never read again is reported only eagerly, at the
# write (the observer's origin is then the write's); a snapshot read later is reported once
# either way; an eagerly reported handle that had caught up moves on, so its next read is O(1).
aliasguard_tracker_mode_test(lazy_unread unread-snapshot "detect=read" "violations=0 kinds= at_write=yes caught_up=no")
aliasguard_tracker_mode_test(eager_unread unread-snapshot "detect=write"
  "violations=1 kinds=stale-snapshot-read at_write=yes caught_up=yes")
aliasguard_tracker_mode_test(lazy_read read-after-write "detect=read:dedup=0"
  "violations=1 kinds=stale-snapshot-read at_write=no caught_up=yes")
aliasguard_tracker_mode_test(eager_read read-after-write "detect=write:dedup=0"
  "violations=1 kinds=stale-snapshot-read at_write=yes caught_up=yes")
aliasguard_tracker_mode_test(lazy_disjoint disjoint "detect=read" "violations=0 ")
aliasguard_tracker_mode_test(eager_disjoint disjoint "detect=write" "violations=0 ")
aliasguard_tracker_mode_test(strict_disjoint disjoint "domains=handle" "violations=0 ")

# Strict mode: every family of views is its own owner.
aliasguard_tracker_mode_test(owner_families families "domains=owner" "violations=0 ")
aliasguard_tracker_mode_test(strict_families families "domains=handle" "violations=1 kinds=shared-write at_write=no")
aliasguard_tracker_mode_test(strict_eager_families families "domains=handle:detect=write"
  "violations=1 kinds=shared-write at_write=yes")
aliasguard_tracker_mode_test(strict_views views "domains=handle:dedup=0" "violations=1 kinds=shared-write at_write=no")
aliasguard_tracker_mode_test(owner_views views "domains=owner:dedup=0" "violations=0 ")

# stack_depth=N: N frames per access, starting at the user's (a program has more than 3).
aliasguard_tracker_mode_test(no_stacks read-after-write "" "violations=1 .* frames=0/0")
aliasguard_tracker_mode_test(stacks read-after-write "stack_depth=3" "violations=1 .* frames=3/3")
