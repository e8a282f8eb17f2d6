from django import template

from cot_portal import formatting

register = template.Library()

register.filter("euro", formatting.euro)
register.filter("short_date", formatting.short_date)
register.filter("short_datetime", formatting.short_datetime)
