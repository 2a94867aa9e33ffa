"""Members, their coverage spans and programs: read-only here; the roster load and the services change them."""

from django.contrib import admin

from calaim.core.admin_audit import ReadOnlyAdmin, ReadOnlyInline
from calaim.members.models import EnrollmentSpan, Member, MemberProgram


class EnrollmentSpanInline(ReadOnlyInline):
    model = EnrollmentSpan


class MemberProgramInline(ReadOnlyInline):
    model = MemberProgram


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("cin", "last_name", "first_name", "birth_date", "plan", "county", "language")
    list_filter = ("plan", "county", "experiencing_homelessness", "dsnp")
    search_fields = ("cin", "last_name", "first_name")
    inlines = [EnrollmentSpanInline, MemberProgramInline]
