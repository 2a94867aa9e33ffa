from django.contrib import admin

from calaim.members.models import EnrollmentSpan, Member, MemberProgram


class EnrollmentSpanInline(admin.TabularInline):
    model = EnrollmentSpan
    extra = 0


class MemberProgramInline(admin.TabularInline):
    model = MemberProgram
    extra = 0


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("cin", "last_name", "first_name", "birth_date", "plan", "county", "language")
    list_filter = ("plan", "county", "experiencing_homelessness", "dsnp")
    search_fields = ("cin", "last_name", "first_name")
    inlines = [EnrollmentSpanInline, MemberProgramInline]
