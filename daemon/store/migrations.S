/*
 * The schema migrations in sql/, embedded into the binary so that plausid can create and
 * upgrade its schema wherever it runs. Each is a NUL-terminated string; schema.c lists them
 * in order. Add a new file as the next number, never edit one that has shipped.
 */
        .section .rodata
        .global plausid_migration_001
        .type plausid_migration_001, @object
plausid_migration_001:
        .incbin "sql/001_core.sql"
        .byte 0

        .global plausid_migration_002
        .type plausid_migration_002, @object
plausid_migration_002:
        .incbin "sql/002_linked_rules.sql"
        .byte 0

        .global plausid_migration_003
        .type plausid_migration_003, @object
plausid_migration_003:
        .incbin "sql/003_rejected_fields.sql"
        .byte 0

        .global plausid_migration_004
        .type plausid_migration_004, @object
plausid_migration_004:
        .incbin "sql/004_late_rejections.sql"
        .byte 0

        .section .note.GNU-stack, "", @progbits
